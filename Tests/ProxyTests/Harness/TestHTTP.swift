import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import VDMProxy

/// The tests' one HTTP client: a request over real HTTP (AsyncHTTPClient's shared client) and the whole
/// reply, read to the end (`send`), or the head and a body the caller reads as it arrives (`open`).
/// Hostile requests a well-behaved client never sends go through `RawHTTPConnection` instead.
enum TestHTTP {
    /// A reply. `bodyError` is set when reading the body failed after the head arrived (the server cut
    /// the connection, or the body passed `limit`); `body` then holds what arrived before.
    struct Reply: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
        var bodyError: String?

        var text: String { String(decoding: body, as: UTF8.self) }
        /// The headers by lower-cased name (the last value of a repeated header).
        var fields: [String: String] {
            var fields: [String: String] = [:]
            for header in headers { fields[header.name.lowercased()] = header.value }
            return fields
        }

        /// Throws when the body could not be read whole.
        func complete() throws -> Reply {
            if let bodyError { throw TestFailure("reading the body failed after \(body.count) bytes: \(bodyError)") }
            return self
        }
    }

    /// A reply whose body the caller reads as it arrives (a stream, a cut, a timing). Dropping `body`
    /// before its end closes the connection (AsyncHTTPClient cancels the request).
    struct Streamed: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: HTTPClientResponse.Body

        /// The headers by lower-cased name (the last value of a repeated header).
        var fields: [String: String] { Reply(status: status, headers: headers, body: []).fields }

        /// The rest of the body, read to the end as `send` reads it.
        func read(limit: Int = 64 << 20) async -> Reply {
            var bytes: [UInt8] = []
            var bodyError: String?
            do {
                for try await chunk in body {
                    guard bytes.count + chunk.readableBytes <= limit else {
                        bodyError = "the body is longer than \(limit) bytes"
                        break
                    }
                    bytes += chunk.readableBytesView
                }
            } catch {
                bodyError = String(describing: error)
            }
            return Reply(status: status, headers: headers, body: bytes, bodyError: bodyError)
        }
    }

    /// Sends `method` to `url` and returns once the head has arrived; the caller reads the body.
    /// A `body` goes as `application/json` unless `headers` name a content type.
    static func open(_ url: String, method: HTTPMethod = .GET, body: [UInt8]? = nil, headers: [(String, String)] = [],
                     timeout: Duration = .seconds(30)) async throws -> Streamed {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let body {
            if !headers.contains(where: { $0.0.lowercased() == "content-type" }) {
                request.headers.add(name: "content-type", value: "application/json")
            }
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await HTTPClient.shared.execute(request, timeout: .nanoseconds(timeout.nanoseconds))
        return Streamed(status: Int(response.status.code), headers: response.headers, body: response.body)
    }

    /// Sends `method` to `url` and reads the whole reply (at most `limit` bytes of body).
    static func send(_ url: String, method: HTTPMethod = .GET, body: [UInt8]? = nil, headers: [(String, String)] = [],
                     timeout: Duration = .seconds(30), limit: Int = 64 << 20) async throws -> Reply {
        try await open(url, method: method, body: body, headers: headers, timeout: timeout).read(limit: limit)
    }

    /// `POST` of a JSON body.
    static func post(_ url: String, body: [UInt8], headers: [(String, String)] = [], timeout: Duration = .seconds(30)) async throws -> Reply {
        try await send(url, method: .POST, body: body, headers: headers, timeout: timeout)
    }
}
