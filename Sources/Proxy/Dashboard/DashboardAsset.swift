import Foundation
import HTTPTypes
import Hummingbird
import LogPipeline
package import NIOCore

/// One file of the dashboard, served from the binary: its bytes, content type and a strong ETag
/// (so a browser revalidates with `If-None-Match` and gets a 304 instead of the body).
package struct DashboardAsset: Sendable {
    package let path: String
    package let contentType: String
    package let body: ByteBuffer
    let etag: String

    package init(path: String, contentType: String, text: String) {
        self.path = path
        self.contentType = contentType
        self.body = ByteBuffer(string: text)
        self.etag = "\"" + SecretHash.short(text) + "\""
    }

    /// Self only: scripts, styles, images and fetches from this origin; no inline script or style, no
    /// frames, no plugins, no form posts elsewhere. The page builds its SVG charts with DOM calls.
    static let contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    func response(to request: Request) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        // Revalidate every time: one binary, one version, and a 304 costs a round trip only.
        headers[.cacheControl] = "no-cache"
        headers[.eTag] = etag
        headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        headers[.xContentTypeOptions] = "nosniff"
        headers[HTTPField.Name("referrer-policy")!] = "no-referrer"
        headers[HTTPField.Name("x-frame-options")!] = "DENY"
        if let tags = request.headers[.ifNoneMatch], tags.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == etag }) {
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: body))
    }
}
