import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// Holds a stream before its last chunks until the test has seen what it waits for (bounded: 30 s),
/// so that "while it streams" is a condition, not a race against the upstream's pace.
final class StreamHold: Sendable {
    private let released = Mutex(false)
    func release() { released.withLock { $0 = true } }
    func wait() async {
        _ = try? await Deadline.holds(within: .seconds(30), poll: .milliseconds(5)) { released.withLock { $0 } }
    }
}

/// The smallest OpenAI-compatible upstream the metrics tests need (the full mock lives elsewhere):
/// `POST /v1/chat/completions` answers JSON, or streams `chunks` deltas `delay` apart followed by
/// the usage chunk and `[DONE]` (after `hold` is released, when given); model `fail` gets a 500.
enum TinyOpenAIUpstream {
    static let chunks = 12
    static let delay: Duration = .milliseconds(40)
    static let usage = #"{"prompt_tokens":31,"completion_tokens":12,"total_tokens":43,"prompt_tokens_details":{"cached_tokens":8}}"#

    static func with<T: Sendable>(hold: StreamHold? = nil, _ body: @Sendable (Int) async throws -> T) async throws -> T {
        let router = Router()
        router.post("/v1/chat/completions") { request, _ -> Response in
            var request = request
            let json = try JSONSerialization.jsonObject(with: Data(buffer: try await request.collectBody(upTo: 1 << 20))) as? [String: Any] ?? [:]
            if json["model"] as? String == "fail" {
                return Response(status: .internalServerError, headers: [.contentType: "application/json"],
                                body: .init(byteBuffer: ByteBuffer(string: #"{"error":{"message":"upstream exploded","type":"server_error"}}"#)))
            }
            guard json["stream"] as? Bool == true else {
                let text = #"{"id":"chatcmpl-1","object":"chat.completion","model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"Hello!"},"finish_reason":"stop"}],"usage":\#(usage)}"#
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
            }
            return Response(status: .ok, headers: [.contentType: "text/event-stream"], body: ResponseBody { writer in
                for i in 0..<chunks {
                    let chunk = #"{"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"word\#(i) is here "},"finish_reason":null}]}"#
                    try await writer.write(ByteBuffer(string: "data: \(chunk)\n\n"))
                    try await Task.sleep(for: delay)
                }
                await hold?.wait()
                try await writer.write(ByteBuffer(string: #"data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"# + "\n\n"))
                try await writer.write(ByteBuffer(string: #"data: {"id":"c","object":"chat.completion.chunk","choices":[],"usage":\#(usage)}"# + "\n\ndata: [DONE]\n\n"))
                try await writer.finish(nil)
            })
        }
        return try await LoopbackApp.with(router, label: "tiny-upstream", body)
    }
}
