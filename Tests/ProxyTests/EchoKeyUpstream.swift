import Foundation
import HTTPTypes
import Hummingbird
import LogPipeline
import NIOCore
import Synchronization

/// A careless provider on loopback that echoes the credential it receives (`x-api-key` or
/// `Authorization: Bearer`) back in everything it can: error bodies (OpenAI and Anthropic formats),
/// stream error events, content, `model` and `stop_reason`. It serves `POST /v1/chat/completions`
/// (OpenAI format) and `POST /v1/messages` and `/v1/messages/count_tokens` (Anthropic format).
///
/// What it does is chosen by the model name it receives (`contains`):
/// - `echo-status-NNN`: HTTP NNN, the endpoint's error envelope saying `… KEY …`;
/// - `echo-long`: HTTP 400 whose message has the key straddling 512 and 1,024 bytes;
/// - `echo-text`: HTTP 502 with a plain-text body holding the key at byte ~300;
/// - `echo-stream-error`: (streaming) a start, then an error event holding the key, the key split
///   across two writes;
/// - `echo-content`: a normal reply whose text is the key (streamed: one delta, written in two
///   pieces that cut the key);
/// - `echo-stop`: (Anthropic, not streaming) `stop_reason` and `model` are the key;
/// - `echo-slow`: a normal stream that takes ~1.5 s;
/// - anything else: a normal reply (echoing the model name as providers do).
/// Every credential received is kept in `received`, so tests can prove what went upstream.
final class EchoKeyUpstream: Sendable {
    let received = Mutex<[String]>([])

    var credentials: [String] { received.withLock { $0 } }

    static func with<T: Sendable>(_ body: @Sendable (EchoKeyUpstream, Int) async throws -> T) async throws -> T {
        let upstream = EchoKeyUpstream()
        let router = Router()
        router.post("/v1/chat/completions") { request, _ in try await upstream.answer(request, format: .openai, path: "chat") }
        router.post("/v1/messages") { request, _ in try await upstream.answer(request, format: .anthropic, path: "messages") }
        router.post("/v1/messages/count_tokens") { request, _ in try await upstream.answer(request, format: .anthropic, path: "count") }
        return try await LoopbackApp.with(router, label: "echo upstream") { port in try await body(upstream, port) }
    }

    enum Format { case openai, anthropic }

    private func answer(_ request: Request, format: Format, path: String) async throws -> Response {
        var request = request
        let key = request.headers[HTTPField.Name("x-api-key")!]
            ?? request.headers[.authorization].map { String($0.dropFirst("Bearer ".count)) } ?? ""
        received.withLock { $0.append(key) }
        let json = try JSONSerialization.jsonObject(with: Data(buffer: try await request.collectBody(upTo: 1 << 20))) as? [String: Any] ?? [:]
        let model = json["model"] as? String ?? ""
        let stream = json["stream"] as? Bool == true
        let quotedModel = Self.quoted(model)
        let quotedKey = Self.quoted(key)

        if let range = model.range(of: "echo-status-"), let status = Int(model[range.upperBound...].prefix(3)) {
            return Self.error(status: status, format: format, message: "Incorrect API key provided: \(key). Check it.")
        }
        if model.contains("echo-long") {
            return Self.error(status: 400, format: format, message: String(repeating: "x", count: 490) + key + String(repeating: "y", count: 1_000 - key.utf8.count) + key + " end")
        }
        if model.contains("echo-text") {
            let text = "<html><body>" + String(repeating: "bad gateway ", count: 24) + key + "</body></html>"
            return Response(status: .badGateway, headers: [.contentType: "text/html"], body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        if path == "count" {
            return Self.json(#"{"input_tokens":12,"note":"\#(quotedKey)"}"#)
        }
        let content = model.contains("echo-content") ? key : "Hello!"
        if !stream {
            switch format {
            case .openai:
                return Self.json(#"{"id":"chatcmpl-1","object":"chat.completion","model":"\#(quotedModel)","choices":[{"index":0,"message":{"role":"assistant","content":"\#(Self.quoted(content))"},"finish_reason":"stop"}],"usage":{"prompt_tokens":11,"completion_tokens":3,"total_tokens":14}}"#)
            case .anthropic:
                let stop = model.contains("echo-stop") ? quotedKey : "end_turn"
                let replyModel = model.contains("echo-stop") ? quotedKey : quotedModel
                return Self.json(#"{"id":"msg_1","type":"message","role":"assistant","model":"\#(replyModel)","content":[{"type":"text","text":"\#(Self.quoted(content))"}],"stop_reason":"\#(stop)","stop_sequence":null,"usage":{"input_tokens":11,"output_tokens":3}}"#)
            }
        }
        // The key cut in two, so a relay that redacts chunk by chunk would miss it.
        let half = key.index(key.startIndex, offsetBy: key.count / 2)
        let (first, second) = (Self.quoted(String(key[..<half])), Self.quoted(String(key[half...])))
        let slow = model.contains("echo-slow")
        let failing = model.contains("echo-stream-error")
        let splitContent = model.contains("echo-content")
        return Response(status: .ok, headers: [.contentType: "text/event-stream"], body: ResponseBody { writer in
            func send(_ text: String) async throws { try await writer.write(ByteBuffer(string: text)) }
            switch format {
            case .openai:
                func delta(_ text: String) -> String {
                    #"data: {"id":"c","object":"chat.completion.chunk","model":"\#(quotedModel)","choices":[{"index":0,"delta":{"content":"\#(text)"},"finish_reason":null}]}"# + "\n\n"
                }
                if failing {
                    try await send(delta("Hi"))
                    try await send(#"data: {"error":{"message":"key \#(first)"#)
                    try await send(#"\#(second) was revoked","type":"invalid_request_error"}}"# + "\n\n")
                } else {
                    if splitContent {
                        // The whole key in one delta, the delta written in two pieces mid-key.
                        let whole = delta(first + second)
                        let cut = whole.index(whole.startIndex, offsetBy: whole.count / 2)
                        try await send(String(whole[..<cut]))
                        try await send(String(whole[cut...]))
                    } else {
                        for i in 0..<(slow ? 15 : 3) {
                            try await send(delta("word\(i) "))
                            if slow { try await Task.sleep(for: .milliseconds(100)) }
                        }
                    }
                    try await send(#"data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"# + "\n\n")
                    try await send(#"data: {"id":"c","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":11,"completion_tokens":3,"total_tokens":14}}"# + "\n\ndata: [DONE]\n\n")
                }
            case .anthropic:
                try await send("event: message_start\ndata: " + #"{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"\#(quotedModel)","content":[],"stop_reason":null,"usage":{"input_tokens":11,"output_tokens":1}}}"# + "\n\n")
                if failing {
                    try await send("event: error\ndata: " + #"{"type":"error","error":{"type":"overloaded_error","message":"key \#(first)"#)
                    try await send(#"\#(second) is overloaded"}}"# + "\n\n")
                } else {
                    try await send("event: content_block_start\ndata: " + #"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"# + "\n\n")
                    let pieces = splitContent ? [] : (0..<(slow ? 15 : 3)).map { "word\($0) " }
                    for piece in pieces {
                        try await send("event: content_block_delta\ndata: " + #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"\#(piece)"}}"# + "\n\n")
                        if slow { try await Task.sleep(for: .milliseconds(100)) }
                    }
                    if splitContent {
                        // The whole key in one delta, written in two pieces mid-key.
                        try await send("event: content_block_delta\ndata: " + #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"\#(first)"#)
                        try await send(#"\#(second)"}}"# + "\n\n")
                    }
                    try await send("event: content_block_stop\ndata: " + #"{"type":"content_block_stop","index":0}"# + "\n\n")
                    try await send("event: message_delta\ndata: " + #"{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":3}}"# + "\n\n")
                    try await send("event: message_stop\ndata: " + #"{"type":"message_stop"}"# + "\n\n")
                }
            }
            try await writer.finish(nil)
        })
    }

    private static func error(status: Int, format: Format, message: String) -> Response {
        let m = quoted(message)
        let body = switch format {
        case .openai: #"{"error":{"message":"\#(m)","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#
        case .anthropic: #"{"type":"error","error":{"type":"authentication_error","message":"\#(m)"}}"#
        }
        return Response(status: HTTPResponse.Status(code: status), headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    private static func json(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// `text` as the inside of a JSON string (the project's JSON writer, without the quotes).
    static func quoted(_ text: String) -> String {
        var out: [UInt8] = []
        JSONBytes.appendString(text, to: &out)
        return String(decoding: out.dropFirst().dropLast(), as: UTF8.self)
    }
}
