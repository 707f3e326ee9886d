import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import VDMProxy

/// One scripted reply: status, content type and the raw body bytes, written as these chunks (one
/// `write` each, so the proxy reads them as they are cut, as far as TCP keeps them apart).
struct UpstreamScript: Sendable {
    var status: Int = 200
    var contentType = "text/event-stream"
    var chunks: [[UInt8]]

    init(status: Int = 200, contentType: String = "text/event-stream", chunks: [[UInt8]]) {
        self.status = status
        self.contentType = contentType
        self.chunks = chunks
    }

    /// `bytes` cut at `cuts` (sorted offsets; out-of-range ones ignored).
    init(status: Int = 200, contentType: String = "text/event-stream", bytes: [UInt8], cuts: [Int]) {
        var chunks: [[UInt8]] = []
        var start = 0
        for cut in cuts.sorted() where cut > start && cut < bytes.count {
            chunks.append(Array(bytes[start..<cut]))
            start = cut
        }
        chunks.append(Array(bytes[start...]))
        self.init(status: status, contentType: contentType, chunks: chunks)
    }
}

/// A hostile upstream on loopback for both wire formats: `POST /v1/chat/completions` and
/// `POST /v1/messages` answer the script registered for the request's `model` (the upstream model
/// name the proxy sends), byte for byte; an unknown model gets a 404. Nothing is generated: what the
/// proxy receives is exactly what the test wrote, which makes the test's literals the oracle.
enum ScriptedUpstream {
    static func with<T: Sendable>(_ scripts: [String: UpstreamScript], _ body: @Sendable (_ baseURL: String) async throws -> T) async throws -> T {
        let router = Router()
        let respond: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            var request = request
            let json = try JSONValue.parse(Array(buffer: try await request.collectBody(upTo: 1 << 20)))
            guard let model = json["model"]?.string, let script = scripts[model] else {
                return Response(status: .notFound, headers: [.contentType: "application/json"],
                                body: .init(byteBuffer: ByteBuffer(string: #"{"type":"error","error":{"type":"not_found_error","message":"no script"}}"#)))
            }
            return Response(status: .init(code: script.status), headers: [.contentType: script.contentType], body: ResponseBody { writer in
                for chunk in script.chunks where !chunk.isEmpty {
                    try await writer.write(ByteBuffer(bytes: chunk))
                }
                try await writer.finish(nil)
            })
        }
        router.post("/v1/chat/completions", use: respond)
        router.post("/v1/messages", use: respond)
        return try await LoopbackApp.with(router, label: "scripted-upstream") { port in
            try await body("http://127.0.0.1:\(port)")
        }
    }
}
