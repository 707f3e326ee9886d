import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// A hostile upstream on loopback: answers every POST (`/v1/chat/completions`, `/v1/messages`, …) with
/// exactly the bytes a test scripts for it — status, content type and body chunks, each written as its
/// own write — so tests can send what a careless or malicious provider sends and the real proxy has
/// to cope. `requests` counts what it served (the test's own ledger).
struct HostileUpstream: Sendable {
    struct Reply: Sendable {
        var status: HTTPResponse.Status = .ok
        var contentType = "application/json"
        var headers: [(String, String)] = []
        var chunks: [[UInt8]]

        static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Reply {
            Reply(status: status, chunks: [Array(text.utf8)])
        }

        /// An SSE body: each element is one write on the wire (events may be split anywhere).
        static func sse(_ pieces: [String]) -> Reply {
            Reply(contentType: "text/event-stream", chunks: pieces.map { Array($0.utf8) })
        }
    }

    /// What the script sees of a request: its path and its JSON body's `model` and `stream`.
    struct Seen: Sendable {
        var path: String
        var model: String
        var stream: Bool
    }

    let port: Int
    var baseURL: String { "http://127.0.0.1:\(port)" }

    static func with<T: Sendable>(_ script: @escaping @Sendable (Seen) -> Reply, _ body: @Sendable (HostileUpstream) async throws -> T) async throws -> T {
        let router = Router()
        let handler: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            var request = request
            let bytes = try await request.collectBody(upTo: 8 << 20)
            let json = (try? JSONSerialization.jsonObject(with: Data(buffer: bytes))) as? [String: Any] ?? [:]
            let reply = script(Seen(path: request.uri.path, model: json["model"] as? String ?? "", stream: json["stream"] as? Bool == true))
            var headers: HTTPFields = [.contentType: reply.contentType]
            for (name, value) in reply.headers {
                if let field = HTTPField.Name(name) { headers[field] = value }
            }
            let chunks = reply.chunks
            return Response(status: reply.status, headers: headers, body: ResponseBody { writer in
                for chunk in chunks { try await writer.write(ByteBuffer(bytes: chunk)) }
                try await writer.finish(nil)
            })
        }
        router.post("/v1/chat/completions", use: handler)
        router.post("/chat/completions", use: handler)
        router.post("/v1/messages", use: handler)
        return try await LoopbackRouterServer.with(router, label: "hostile-upstream") { port in
            try await body(HostileUpstream(port: port))
        }
    }
}
