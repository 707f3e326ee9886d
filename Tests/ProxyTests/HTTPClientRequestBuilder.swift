import AsyncHTTPClient
import NIOCore

enum HTTPClientRequestBuilder {
    static func post(_ url: String, body: [UInt8]) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: body))
        return request
    }

    /// Sends and reads the whole body; returns the status.
    static func send(_ request: HTTPClientRequest) async throws -> Int {
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        _ = try await response.body.collect(upTo: 16 << 20)
        return Int(response.status.code)
    }

    /// Sends and reads the whole body; returns the status and the `x-request-id` vdm answered with.
    static func sendReturningID(_ request: HTTPClientRequest) async throws -> (status: Int, id: String?) {
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        _ = try await response.body.collect(upTo: 16 << 20)
        return (Int(response.status.code), response.headers.first(name: "x-request-id"))
    }
}
