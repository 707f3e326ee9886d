import Testing
import VDMProxy

/// Builders for OpenAI stream chunks and a checker for the Anthropic block protocol.
enum ConversionStreamSupport {
    static func content(_ text: String) -> String {
        JSONValue.object([("choices", [["index": 0, "delta": ["content": .string(text)], "finish_reason": nil]])]).compactText
    }

    static func tool(_ index: Int, id: String? = nil, name: String? = nil, arguments: String? = nil) -> String {
        var call: JSONValue = ["index": JSONValue(index)]
        if let id { call = call.setting("id", to: .string(id)).setting("type", to: "function") }
        var function: JSONValue = [:]
        if let name { function = function.setting("name", to: .string(name)) }
        if let arguments { function = function.setting("arguments", to: .string(arguments)) }
        call = call.setting("function", to: function)
        return JSONValue.object([("choices", [["index": 0, "delta": ["tool_calls": [call]], "finish_reason": nil]])]).compactText
    }

    static func finish(_ reason: String, extra: String = "") -> String {
        #"{"choices":[{"index":0,"delta":{},"finish_reason":"\#(reason)"\#(extra)}],"usage":null}"#
    }

    static func usage(prompt: Int, completion: Int, cached: Int) -> String {
        #"{"choices":[],"usage":{"prompt_tokens":\#(prompt),"completion_tokens":\#(completion),"total_tokens":\#(prompt + completion),"prompt_tokens_details":{"cached_tokens":\#(cached)}}}"#
    }

    static func converter(stop: [String] = []) -> OpenAIStreamConverter {
        OpenAIStreamConverter(messageID: "msg_test", clientModel: "claude-x", stopSequences: stop)
    }

    /// Runs a whole stream: start, every payload, finish.
    static func run(_ payloads: [String], stop: [String] = []) throws -> (events: [AnthropicStreamEvent], converter: OpenAIStreamConverter) {
        var converter = converter(stop: stop)
        var events = converter.start()
        for payload in payloads {
            events += try converter.consume(data: payload)
        }
        events += converter.finish()
        return (events, converter)
    }

    /// Checks Anthropic's sequencing rules and returns a description of the first violation, or nil.
    static func protocolViolation(_ events: [AnthropicStreamEvent], complete: Bool = true) -> String? {
        guard events.first?.name == "message_start" else { return "first event is not message_start" }
        var open: Int?
        var nextIndex = 0
        for (position, event) in events.enumerated() {
            guard event.data["type"]?.string == event.name else { return "event \(position): name/type mismatch" }
            let index = event.data["index"]?.int
            switch event.name {
            case "content_block_start":
                if open != nil { return "event \(position): start while block \(open ?? -1) is open" }
                if index != nextIndex { return "event \(position): index \(String(describing: index)), expected \(nextIndex)" }
                if case .number = event.data["index"] {} else { return "event \(position): index is not a number" }
                open = index
                nextIndex += 1
            case "content_block_delta":
                if index == nil || index != open { return "event \(position): delta for a block that is not open" }
            case "content_block_stop":
                if index == nil || index != open { return "event \(position): stop for a block that is not open" }
                open = nil
            case "message_delta", "message_stop":
                if open != nil { return "event \(position): \(event.name) while a block is open" }
            default:
                break
            }
        }
        if complete {
            if events.last?.name != "message_stop" { return "last event is not message_stop" }
            if events.filter({ $0.name == "message_delta" }).count != 1 { return "not exactly one message_delta" }
        }
        return nil
    }

    static func text(of events: [AnthropicStreamEvent], index: Int) -> String {
        events.filter { $0.name == "content_block_delta" && $0.data["index"]?.int == index }
            .compactMap { $0.data["delta"]?["text"]?.string ?? $0.data["delta"]?["partial_json"]?.string }
            .joined()
    }

    static func starts(_ events: [AnthropicStreamEvent]) -> [JSONValue] {
        events.filter { $0.name == "content_block_start" }.compactMap { $0.data["content_block"] }
    }

    static func messageDelta(_ events: [AnthropicStreamEvent]) -> JSONValue? {
        events.first { $0.name == "message_delta" }?.data
    }
}

@Suite("OpenAI stream → Anthropic stream")
struct ConversionStreamTests {
    typealias S = ConversionStreamSupport

    @Test func startGivesMessageStartAndPing() {
        var converter = S.converter()
        let events = converter.start()
        #expect(SSEEncoder.encode(events) == Array("""
        event: message_start
        data: {"type":"message_start","message":{"id":"msg_test","type":"message","role":"assistant","model":"claude-x","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":0}}}

        event: ping
        data: {"type":"ping"}


        """.utf8))
        #expect(converter.start().isEmpty)
    }

    @Test func textOnlyWithTrailingUsage() throws {
        let (events, converter) = try S.run([
            #"{"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}],"usage":null}"#,
            S.content("Hel"),
            S.content(""),
            S.content("lo"),
            S.finish("stop"),
            S.usage(prompt: 100, completion: 5, cached: 40),
            "[DONE]",
        ])
        #expect(S.protocolViolation(events) == nil)
        #expect(events.map(\.name) == [
            "message_start", "ping", "content_block_start", "content_block_delta", "content_block_delta",
            "content_block_stop", "message_delta", "message_stop",
        ])
        #expect(S.text(of: events, index: 0) == "Hello")
        #expect(S.messageDelta(events) == [
            "type": "message_delta",
            "delta": ["stop_reason": "end_turn", "stop_sequence": nil],
            "usage": ["input_tokens": 60, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 40, "output_tokens": 5],
        ])
        #expect(converter.usage == TokenUsage(inputTokens: 60, outputTokens: 5, cacheReadTokens: 40))
        #expect(converter.stopReason == "end_turn")
        #expect(converter.sawFinishReason && converter.sawDone && converter.isComplete && converter.sawUsage)
        #expect(converter.outputTextChars == 5)
        #expect(converter.toolCalls == 0)
    }

    @Test func usageChunkAfterFinishReasonIsNotLostAndNullUsageDoesNotReset() throws {
        var converter = S.converter()
        _ = converter.start()
        _ = try converter.consume(data: S.content("x"))
        _ = try converter.consume(data: S.finish("length"))
        #expect(converter.usage == .zero)
        _ = try converter.consume(data: S.usage(prompt: 10, completion: 3, cached: 0))
        _ = try converter.consume(data: #"{"choices":[],"usage":null}"#)
        #expect(converter.usage == TokenUsage(inputTokens: 10, outputTokens: 3))
        let final = converter.finish()
        #expect(S.messageDelta(final)?["usage"]?["output_tokens"] == 3)
        #expect(S.messageDelta(final)?["delta"]?["stop_reason"] == "max_tokens")
    }

    // Tool calls are assembled and sent whole at the end of the turn (see OpenAIStreamConverter: OpenAI
    // has no end marker per call, and fragments may interleave or split a name). Intended change: these
    // tests asserted argument fragments forwarded as they arrived.
    @Test func toolCallIsSentWholeAtTheEnd() throws {
        let fragments = ["{\"ci", "ty\": \"Par", "is\", \"days\"", ": 3}"]
        var converter = S.converter()
        var events = converter.start()
        #expect(try converter.consume(data: S.tool(0, id: "call_1", name: "get_weather", arguments: "")).isEmpty)
        #expect(converter.firstContentSeen)
        for fragment in fragments {
            #expect(try converter.consume(data: S.tool(0, arguments: fragment)).isEmpty)
        }
        #expect(converter.outputTextChars == fragments.joined().count)
        events += try converter.consume(data: S.finish("tool_calls"))
        events += try converter.consume(data: "[DONE]")
        let final = converter.finish()
        #expect(final == [
            AnthropicStreamEvent("content_block_start", [
                "type": "content_block_start", "index": 0,
                "content_block": ["type": "tool_use", "id": "call_1", "name": "get_weather", "input": .object([])],
            ]),
            AnthropicStreamEvent("content_block_delta", [
                "type": "content_block_delta", "index": 0,
                "delta": ["type": "input_json_delta", "partial_json": #"{"city":"Paris","days":3}"#],
            ]),
            AnthropicStreamEvent("content_block_stop", ["type": "content_block_stop", "index": 0]),
        ] + final.suffix(2))
        events += final
        #expect(S.protocolViolation(events) == nil)
        #expect(converter.toolCalls == 1)
        #expect(converter.stopReason == "tool_use")
    }

    @Test func idAndNameMayComeAfterTheArguments() throws {
        let (events, converter) = try S.run([
            S.tool(0, arguments: "{\"a\":"),
            S.tool(0, name: "f", arguments: "1"),
            S.tool(0, id: "call_z", arguments: "}"),
            S.tool(0, id: "call_other"),  // a repeated id does not replace the first
            S.finish("tool_calls"),
        ])
        #expect(S.protocolViolation(events) == nil)
        #expect(S.starts(events) == [["type": "tool_use", "id": "call_z", "name": "f", "input": .object([])]])
        #expect(S.text(of: events, index: 0) == #"{"a":1}"#)
        #expect(converter.toolCalls == 1)
    }

    @Test func textAroundToolFragmentsIsOneTextBlockBeforeTheTools() throws {
        let (events, converter) = try S.run([
            S.content("Let me look."),
            S.tool(0, id: "call_a", name: "search", arguments: "{\"q\":"),
            S.tool(0, arguments: "\"x\"}"),
            S.content(" Found it."),
            S.finish("stop"),
            "[DONE]",
        ])
        #expect(S.protocolViolation(events) == nil)
        let starts = events.filter { $0.name == "content_block_start" }
        #expect(starts.map { $0.data["index"] } == [0, 1])
        #expect(S.starts(events).map { $0["type"] } == ["text", "tool_use"])
        #expect(events.filter { $0.name == "content_block_stop" }.map { $0.data["index"] } == [0, 1])
        #expect(S.text(of: events, index: 0) == "Let me look. Found it.")
        #expect(S.text(of: events, index: 1) == #"{"q":"x"}"#)
        // Tool calls with finish_reason "stop" are still a tool_use turn.
        #expect(converter.stopReason == "tool_use")
    }

    @Test func twoParallelToolCalls() throws {
        let (events, converter) = try S.run([
            #"{"choices":[{"index":0,"delta":{"role":"assistant","content":null},"finish_reason":null}]}"#,
            S.tool(0, id: "call_1", name: "get_weather", arguments: ""),
            S.tool(0, arguments: "{\"city\":\"Paris\"}"),
            S.tool(1, id: "call_2", name: "get_time", arguments: ""),
            S.tool(1, arguments: "{\"tz\":"),
            S.tool(1, arguments: "\"CET\"}"),
            S.finish("tool_calls"),
            S.usage(prompt: 50, completion: 20, cached: 0),
            "[DONE]",
        ])
        #expect(S.protocolViolation(events) == nil)
        #expect(S.starts(events) == [
            ["type": "tool_use", "id": "call_1", "name": "get_weather", "input": .object([])],
            ["type": "tool_use", "id": "call_2", "name": "get_time", "input": .object([])],
        ])
        #expect(S.text(of: events, index: 0) == #"{"city":"Paris"}"#)
        #expect(S.text(of: events, index: 1) == #"{"tz":"CET"}"#)
        #expect(converter.toolCalls == 2)
        #expect(S.messageDelta(events)?["delta"]?["stop_reason"] == "tool_use")
        #expect(S.messageDelta(events)?["usage"]?["output_tokens"] == 20)
    }

    @Test func wholeToolCallsInOneChunkAndMissingIndex() throws {
        let (events, converter) = try S.run([
            #"{"choices":[{"index":0,"delta":{"tool_calls":[{"id":"a","type":"function","function":{"name":"f","arguments":"{}"}},{"id":"b","type":"function","function":{"name":"g","arguments":"{\"k\":1}"}}]},"finish_reason":"tool_calls"}]}"#,
        ])
        #expect(S.protocolViolation(events) == nil)
        #expect(S.starts(events).map { $0["id"] } == ["a", "b"])
        #expect(S.text(of: events, index: 1) == #"{"k":1}"#)
        #expect(converter.toolCalls == 2)
    }

    @Test func nameWithoutIdGetsAGeneratedId() throws {
        let (events, _) = try S.run([
            S.tool(0, name: "lookup", arguments: "{}"),
            S.content("done"),
            S.finish("stop"),
        ])
        #expect(S.protocolViolation(events) == nil)
        let starts = S.starts(events)
        #expect(starts.count == 2)
        #expect(starts[0]["type"] == "text")
        #expect(starts[1]["name"] == "lookup")
        #expect(starts[1]["id"]?.string?.hasPrefix("toolu_") == true)
    }

    @Test func interleavedArgumentsStayWithTheirCall() throws {
        let (events, converter) = try S.run([
            S.tool(0, id: "a", name: "f", arguments: "{"),
            S.tool(1, id: "b", name: "g", arguments: "{}"),
            S.tool(0, arguments: "}"),
            S.finish("tool_calls"),
        ])
        #expect(S.protocolViolation(events) == nil)
        #expect(S.starts(events).map { $0["name"] } == ["f", "g"])
        #expect(S.text(of: events, index: 0) == "{}")
        #expect(converter.toolCalls == 2)
    }

    @Test func aCallWithoutANameFailsTheStreamAtTheEnd() throws {
        var converter = S.converter()
        _ = converter.start()
        _ = try converter.consume(data: S.content("hi"))
        _ = try converter.consume(data: S.tool(0, id: "a", arguments: "{}"))
        _ = try converter.consume(data: S.finish("tool_calls"))
        #expect(converter.isComplete)
        #expect(converter.finish().map(\.name) == ["content_block_stop"])
        #expect(converter.failure == ConversionError(.upstreamMalformed, "upstream tool call 0 has no function name"))
        #expect(converter.isComplete == false)
        #expect(converter.toolCalls == 0)
    }

    @Test func emptyCompletionStillHasOneBlock() throws {
        let (events, converter) = try S.run([S.finish("stop"), "[DONE]"])
        #expect(S.protocolViolation(events) == nil)
        #expect(events.map(\.name) == [
            "message_start", "ping", "content_block_start", "content_block_stop", "message_delta", "message_stop",
        ])
        #expect(converter.firstContentSeen == false)
    }

    @Test func doneWithoutFinishReasonIsCompleteEndTurn() throws {
        let (events, converter) = try S.run([S.content("hi"), "[DONE]"])
        #expect(S.protocolViolation(events) == nil)
        #expect(converter.isComplete)
        #expect(converter.sawFinishReason == false)
        #expect(converter.stopReason == "end_turn")
    }

    @Test func dataAfterDoneIsIgnored() throws {
        var converter = S.converter()
        _ = converter.start()
        _ = try converter.consume(data: "[DONE]")
        #expect(try converter.consume(data: "not json at all").isEmpty)
    }

    @Test func cutStreamIsNotReportedAsSuccess() throws {
        var converter = S.converter()
        _ = converter.start()
        _ = try converter.consume(data: S.content("partial"))
        #expect(converter.isComplete == false)
        let final = converter.finish()
        #expect(final.map(\.name) == ["content_block_stop"])
        #expect(converter.stopReason == nil)
        #expect(converter.isComplete == false)
        #expect(converter.isFinished)
        #expect(converter.finish().isEmpty)
    }

    @Test func malformedChunkThrowsStreamError() throws {
        var converter = S.converter()
        _ = converter.start()
        do {
            _ = try converter.consume(data: #"{"choices":[{"delta":{"content":"x"}"#)
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .streamError)
            #expect(error.message.hasPrefix("Failed to parse upstream streaming chunk as JSON: invalid JSON at byte"))
            let event = OpenAIStreamConverter.errorEvent(for: error)
            #expect(event.name == "error")
            #expect(event.data["error"]?["type"] == "api_error")
        }
        #expect(converter.failure?.kind == .streamError)
        #expect(converter.isComplete == false)
        #expect(try converter.consume(data: S.content("ignored after failure")).isEmpty)
        #expect(converter.finish().isEmpty) // no message_delta / message_stop after a failure

        var other = S.converter()
        _ = other.start()
        #expect(throws: ConversionError(.streamError, "upstream streaming chunk is not a JSON object")) {
            try other.consume(data: "[1]")
        }
    }

    @Test func failureAfterFinishReasonIsNotReportedAsSuccess() throws {
        var converter = S.converter()
        _ = converter.start()
        _ = try converter.consume(data: S.content("x"))
        _ = try converter.consume(data: S.finish("stop"))
        #expect(converter.isComplete)
        #expect(throws: ConversionError.self) { try converter.consume(data: "{oops") }
        #expect(converter.isComplete == false)
        #expect(converter.finish().map(\.name) == ["content_block_stop"])
        #expect(converter.stopReason == nil)
    }

    @Test func errorObjectInStreamThrowsUpstreamError() {
        var converter = S.converter()
        _ = converter.start()
        #expect(throws: ConversionError(.upstreamError, "Provider returned error", upstreamType: "server_error")) {
            try converter.consume(data: #"{"error":{"message":"Provider returned error","type":"server_error"},"choices":[{"delta":{},"finish_reason":"error"}]}"#)
        }
    }

    @Test func errorEventShape() {
        let event = OpenAIStreamConverter.errorEvent(type: "overloaded_error", message: "Overloaded")
        #expect(event.bytes == Array(
            "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n".utf8
        ))
    }

    @Test func matchedStopSequenceInStream() throws {
        let (events, converter) = try S.run([S.content("a"), S.finish("stop", extra: #","stop_reason":"<END>""#)], stop: ["<END>"])
        #expect(S.messageDelta(events)?["delta"] == ["stop_reason": "stop_sequence", "stop_sequence": "<END>"])
        #expect(converter.stopSequence == "<END>")
    }

    @Test func contentFilterIsRefusalAndReasoningIsCountedNotSent() throws {
        let (events, converter) = try S.run([
            #"{"choices":[{"index":0,"delta":{"reasoning_content":"thinking..."}}]}"#,
            S.content("ok"),
            S.finish("content_filter"),
        ])
        #expect(S.messageDelta(events)?["delta"]?["stop_reason"] == "refusal")
        #expect(converter.outputTextChars == "thinking...".count + 2)
        #expect(S.starts(events).count == 1)
    }

    @Test func consumeStartsImplicitly() throws {
        var converter = S.converter()
        let events = try converter.consume(data: S.content("x"))
        #expect(events.map(\.name) == ["message_start", "ping", "content_block_start", "content_block_delta"])
    }

    // MARK: Golden

    static let recordedOpenAIStream = #"""
    data: {"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_eb9dce56a8","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}

    data: {"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_eb9dce56a8","choices":[{"index":0,"delta":{"content":"I'll"},"logprobs":null,"finish_reason":null}],"usage":null}

    data: {"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_eb9dce56a8","choices":[{"index":0,"delta":{"content":" check the weather in Paris – \"ville lumière\"."},"logprobs":null,"finish_reason":null}],"usage":null}

    data: {"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_eb9dce56a8","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_DdmO9pD3xa9XTPNJ32zg2hcA","type":"function","function":{"name":"get_weather","arguments":""}}]},"logprobs":null,"finish_reason":null}],"usage":null}

    data: {"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_eb9dce56a8","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\""}}]},"logprobs":null,"finish_reason":null}],"usage":null}

    data: {"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_eb9dce56a8","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"location"}}]},"logprobs":null,"finish_reason":null}],"usage":null}

    data: {"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_eb9dce56a8","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\":\""}}]},"logprobs":null,"finish_reason":null}],"usage":null}

    data: {"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_eb9dce56a8","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"Paris, France"}}]},"logprobs":null,"finish_reason":null}],"usage":null}

    data: {"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_eb9dce56a8","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"}"}}]},"logprobs":null,"finish_reason":null}],"usage":null}

    data: {"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_eb9dce56a8","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}],"usage":null}

    data: {"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_eb9dce56a8","choices":[],"usage":{"prompt_tokens":1234,"completion_tokens":27,"total_tokens":1261,"prompt_tokens_details":{"cached_tokens":1024,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}

    data: [DONE]


    """#

    static let expectedAnthropicStream = #"""
    event: message_start
    data: {"type":"message_start","message":{"id":"msg_golden01","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":0}}}

    event: ping
    data: {"type":"ping"}

    event: content_block_start
    data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

    event: content_block_delta
    data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"I'll"}}

    event: content_block_delta
    data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" check the weather in Paris – \"ville lumière\"."}}

    event: content_block_stop
    data: {"type":"content_block_stop","index":0}

    event: content_block_start
    data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"call_DdmO9pD3xa9XTPNJ32zg2hcA","name":"get_weather","input":{}}}

    event: content_block_delta
    data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"location\":\"Paris, France\"}"}}

    event: content_block_stop
    data: {"type":"content_block_stop","index":1}

    event: message_delta
    data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"input_tokens":210,"cache_creation_input_tokens":0,"cache_read_input_tokens":1024,"output_tokens":27}}

    event: message_stop
    data: {"type":"message_stop"}


    """#

    @Test("golden: recorded OpenAI stream → exact Anthropic SSE bytes", arguments: [1, 7, 64, 100_000])
    func golden(chunkSize: Int) throws {
        let upstream = Array(Self.recordedOpenAIStream.utf8)
        var parser = SSEParser()
        var converter = OpenAIStreamConverter(messageID: "msg_golden01", clientModel: "claude-sonnet-4-5", stopSequences: [])
        var output = SSEEncoder.encode(converter.start())
        var start = 0
        while start < upstream.count {
            let end = min(start + chunkSize, upstream.count)
            for event in try parser.feed(upstream[start..<end]) {
                output += SSEEncoder.encode(try converter.consume(data: event.data))
            }
            start = end
        }
        for event in try parser.finish() {
            output += SSEEncoder.encode(try converter.consume(data: event.data))
        }
        output += SSEEncoder.encode(converter.finish())
        #expect(String(decoding: output, as: UTF8.self) == Self.expectedAnthropicStream)
        #expect(output == Array(Self.expectedAnthropicStream.utf8))
        #expect(converter.usage == TokenUsage(inputTokens: 210, outputTokens: 27, cacheReadTokens: 1024))
        #expect(converter.toolCalls == 1)
        #expect(converter.stopReason == "tool_use")
    }
}
