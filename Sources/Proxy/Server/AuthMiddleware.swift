import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import LogPipeline

/// `PROXY_API_KEY`: clients present it as `x-api-key` or `Authorization: Bearer`; the metrics views
/// also accept `?key=` because a browser's EventSource cannot set headers. Compared in constant time.
struct AuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let expected: [UInt8]
    let logger: Logger
    let allowQueryKey: Bool

    init(key: String, logger: Logger, allowQueryKey: Bool = false) {
        self.expected = Array(SHA256.hash(data: Array(key.utf8)))
        self.logger = logger
        self.allowQueryKey = allowQueryKey
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let presented = Self.presentedKey(request, allowQuery: allowQueryKey), matches(presented) {
            return try await next(request, context)
        }
        logger.warning("Invalid or missing API key on \(request.method) \(request.uri.path)")
        return AnthropicErrorResponse.make(.unauthenticated("Invalid API key. Provide the proxy's key as x-api-key or Authorization: Bearer."))
    }

    /// Hash both sides, then compare every byte: the time does not depend on where they differ.
    func matches(_ presented: String) -> Bool {
        let digest = Array(SHA256.hash(data: Array(presented.utf8)))
        var diff: UInt8 = 0
        for (a, b) in zip(digest, expected) { diff |= a ^ b }
        return diff == 0
    }

    static func presentedKey(_ request: Request, allowQuery: Bool) -> String? {
        if let key = request.headers[HTTPField.Name("x-api-key")!], !key.isEmpty { return key }
        if let auth = request.headers[.authorization], auth.lowercased().hasPrefix("bearer ") {
            return String(auth.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        }
        if allowQuery, let key = request.uri.queryParameters["key"], !key.isEmpty { return String(key) }
        return nil
    }
}

/// The client's own key, for `!PASSTHRU` providers.
enum ClientKey {
    static func from(_ request: Request) -> String? {
        AuthMiddleware<BasicRequestContext>.presentedKey(request, allowQuery: false)
    }
}
