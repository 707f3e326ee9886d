import Testing
import VDMProxy

/// What an Anthropic client makes of a stream: the blocks as assembled by an SDK (text joined, tool
/// input JSON joined and parsed at `content_block_stop`), the stop reason, the usage and the error type.
struct ClientView: Sendable, Equatable, CustomStringConvertible {
    enum Block: Sendable, Equatable {
        case text(String)
        case tool(id: String, name: String, input: JSONValue)
    }

    var blocks: [Block] = []
    var stopReason: String?
    var usage: JSONValue?
    /// `error.type` of a final `event: error`, nil when the stream ended with `message_stop`.
    var errorType: String?
    var complete = false

    var description: String { "blocks=\(blocks) stop=\(stopReason ?? "nil") usage=\(usage?.compactText ?? "nil") error=\(errorType ?? "nil") complete=\(complete)" }

    /// Assembles the view of an Anthropic SSE byte stream; a protocol violation is thrown.
    static func of(_ bytes: [UInt8]) throws -> ClientView {
        var parser = SSEParser()
        let events = try (parser.feed(bytes) + parser.finish()).map { AnthropicStreamEvent($0.event ?? "", try JSONValue.parse($0.data.utf8)) }
        let failed = events.last?.name == "error"
        if let violation = ConversionStreamSupport.protocolViolation(failed ? Array(events.dropLast()) : events, complete: !failed) {
            throw TestFailure("protocol violation: \(violation)")
        }
        var view = ClientView()
        var partialJSON = ""
        var open: (id: String, name: String)?
        for event in events {
            switch event.name {
            case "content_block_start":
                let block = event.data["content_block"]
                if block?["type"] == "tool_use" {
                    open = (block?["id"]?.string ?? "", block?["name"]?.string ?? "")
                    partialJSON = ""
                } else {
                    view.blocks.append(.text(block?["text"]?.string ?? ""))
                }
            case "content_block_delta":
                let delta = event.data["delta"]
                if let text = delta?["text"]?.string, case let .text(sofar)? = view.blocks.last {
                    view.blocks[view.blocks.count - 1] = .text(sofar + text)
                } else if let json = delta?["partial_json"]?.string {
                    partialJSON += json
                }
            case "content_block_stop":
                if let tool = open {
                    let input = partialJSON.isEmpty ? JSONValue.object([]) : try JSONValue.parse(partialJSON.utf8)
                    view.blocks.append(.tool(id: tool.id, name: tool.name, input: input))
                    open = nil
                }
            case "message_delta":
                view.stopReason = event.data["delta"]?["stop_reason"]?.string
                view.usage = event.data["usage"]
            case "message_stop":
                view.complete = true
            case "error":
                view.errorType = event.data["error"]?["type"]?.string
            default:
                break
            }
        }
        return view
    }
}

/// Upstream OpenAI streams as raw bytes, each with the client view a correct proxy gives, written by
/// hand from the stream (the oracle), and the tool-call count the record must carry.
struct OpenAIStreamCase: Sendable, CustomTestStringConvertible {
    var name: String
    var bytes: [UInt8]
    var expected: ClientView
    var toolCalls: Int
    var testDescription: String { name }
}

enum StreamCorpus {
    typealias S = ConversionStreamSupport

    /// `data:` lines joined with `newline`, an optional `[DONE]`, extra raw text (comments) in between.
    static func stream(_ payloads: [String], done: Bool = true, newline: String = "\n") -> [UInt8] {
        var text = ""
        for payload in payloads + (done ? ["[DONE]"] : []) {
            if payload.hasPrefix(":") {
                text += payload + newline + newline
            } else {
                text += "data: " + payload + newline + newline
            }
        }
        return Array(text.utf8)
    }

    static func usage(input: Int, cacheRead: Int, output: Int) -> JSONValue {
        ["input_tokens": JSONValue(input), "cache_creation_input_tokens": 0, "cache_read_input_tokens": JSONValue(cacheRead), "output_tokens": JSONValue(output)]
    }

    static let cases: [OpenAIStreamCase] = [
        OpenAIStreamCase(
            name: "text, usage chunk, CRLF line endings",
            bytes: stream([
                #"{"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}"#,
                S.content("Bonjour, "), S.content("ça va ? 👋"), S.finish("stop"),
                S.usage(prompt: 100, completion: 7, cached: 40),
            ], newline: "\r\n"),
            expected: ClientView(blocks: [.text("Bonjour, ça va ? 👋")], stopReason: "end_turn", usage: usage(input: 60, cacheRead: 40, output: 7), complete: true),
            toolCalls: 0
        ),
        OpenAIStreamCase(
            name: "one tool, name and arguments split anywhere, keep-alive comments",
            bytes: stream([
                ": keep-alive",
                S.tool(0, id: "call_1", name: "get_", arguments: ""),
                S.tool(0, name: "weather"),
                S.tool(0, arguments: "{\"ci"),
                ": OPENROUTER PROCESSING",
                S.tool(0, arguments: "ty\":\"Par"),
                S.tool(0, arguments: "is\",\"days\":"),
                S.tool(0, arguments: "3}"),
                S.finish("tool_calls"),
                S.usage(prompt: 20, completion: 9, cached: 0),
            ]),
            expected: ClientView(blocks: [.tool(id: "call_1", name: "get_weather", input: ["city": "Paris", "days": 3])], stopReason: "tool_use", usage: usage(input: 20, cacheRead: 0, output: 9), complete: true),
            toolCalls: 1
        ),
        OpenAIStreamCase(
            name: "text then parallel tools interleaved",
            bytes: stream([
                S.content("Checking both."),
                S.tool(0, id: "call_a", name: "get_weather", arguments: ""),
                S.tool(1, id: "call_b", name: "get_", arguments: ""),
                S.tool(0, arguments: "{\"city\":"),
                S.tool(1, name: "time", arguments: "{\"tz\":"),
                S.tool(0, arguments: "\"Lyon\"}"),
                S.tool(1, arguments: "\"CET\"}"),
                S.finish("tool_calls"),
                S.usage(prompt: 50, completion: 30, cached: 10),
            ]),
            expected: ClientView(blocks: [
                .text("Checking both."),
                .tool(id: "call_a", name: "get_weather", input: ["city": "Lyon"]),
                .tool(id: "call_b", name: "get_time", input: ["tz": "CET"]),
            ], stopReason: "tool_use", usage: usage(input: 40, cacheRead: 10, output: 30), complete: true),
            toolCalls: 2
        ),
        OpenAIStreamCase(
            name: "three calls, index order differs from arrival, text in between, [DONE] missing",
            bytes: stream([
                S.tool(2, id: "call_z", name: "c", arguments: "{}"),
                S.tool(0, id: "call_x", name: "a", arguments: "{\"n\":"),
                S.content("one moment"),
                S.tool(1, id: "call_y", name: "b", arguments: ""),
                S.tool(0, arguments: "1}"),
                S.content(" please"),
                S.finish("tool_calls"),
            ], done: false),
            expected: ClientView(blocks: [
                .text("one moment please"),
                .tool(id: "call_x", name: "a", input: ["n": 1]),
                .tool(id: "call_y", name: "b", input: .object([])),
                .tool(id: "call_z", name: "c", input: .object([])),
            ], stopReason: "tool_use", usage: usage(input: 0, cacheRead: 0, output: 0), complete: true),
            toolCalls: 3
        ),
        OpenAIStreamCase(
            name: "arguments that are not JSON become raw_arguments, as when not streaming",
            bytes: stream([S.tool(0, id: "call_r", name: "f", arguments: "{\"a\": tru"), S.finish("tool_calls")]),
            expected: ClientView(blocks: [.tool(id: "call_r", name: "f", input: ["raw_arguments": "{\"a\": tru"])], stopReason: "tool_use", usage: usage(input: 0, cacheRead: 0, output: 0), complete: true),
            toolCalls: 1
        ),
        OpenAIStreamCase(
            name: "cut before finish_reason: an error, no half tool call",
            bytes: stream([S.content("partial"), S.tool(0, id: "call_c", name: "f", arguments: "{\"x\":")], done: false),
            expected: ClientView(blocks: [.text("partial")], errorType: "api_error"),
            toolCalls: 0
        ),
        OpenAIStreamCase(
            name: "malformed payload mid-stream: what came before, then an error",
            bytes: stream([S.content("before "), S.content("the break"), #"{"choices":[{"delta":{"content":"x"}"#, S.content("after"), S.finish("stop")]),
            expected: ClientView(blocks: [.text("before the break")], errorType: "api_error"),
            toolCalls: 0
        ),
        OpenAIStreamCase(
            name: "a tool call that never got a name is an error",
            bytes: stream([S.tool(0, id: "call_n", arguments: "{}"), S.finish("tool_calls")]),
            expected: ClientView(blocks: [], errorType: "api_error"),
            toolCalls: 0
        ),
        OpenAIStreamCase(
            name: "BOM, CR-only line endings, multi-line data",
            bytes: [0xEF, 0xBB, 0xBF] + Array(("data: {\"choices\":[{\"index\":0,\r\ndata: \"delta\":{\"content\":\"x\\ny\"}}]}\r\r"
                + "data: " + S.finish("length") + "\r\rdata: [DONE]\r\r").utf8),
            expected: ClientView(blocks: [.text("x\ny")], stopReason: "max_tokens", usage: usage(input: 0, cacheRead: 0, output: 0), complete: true),
            toolCalls: 0
        ),
    ]

    /// The client bytes the real translator produces for `bytes` cut at `cuts`, the message id fixed.
    static func translate(_ bytes: [UInt8], cuts: [Int]) -> (bytes: [UInt8], translator: OpenAIStreamTranslator) {
        var translator = OpenAIStreamTranslator(converter: OpenAIStreamConverter(messageID: "msg_prop", clientModel: "claude-x", stopSequences: []))
        var out = translator.start()
        for chunk in UpstreamScript(bytes: bytes, cuts: cuts).chunks {
            out += translator.feed(chunk)
        }
        out += translator.finish()
        if let detail = translator.failureDetail {
            out += OpenAIStreamConverter.errorEvent(type: "api_error", message: detail).bytes
        }
        return (out, translator)
    }
}
