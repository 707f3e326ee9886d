import Testing
import VDMProxy

@Suite("Anthropic usage tap, request stats and token estimate")
struct ConversionUsageTests {
    static let passthroughStream = #"""
    event: message_start
    data: {"type":"message_start","message":{"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"cache_creation_input_tokens":100,"cache_read_input_tokens":2000,"output_tokens":1}}}

    event: ping
    data: {"type": "ping"}

    event: content_block_start
    data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

    event: content_block_delta
    data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Checking"}}

    event: content_block_stop
    data: {"type":"content_block_stop","index":0}

    event: content_block_start
    data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01","name":"get_weather","input":{}}}

    event: content_block_delta
    data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"city\":\"Paris\"}"}}

    event: content_block_stop
    data: {"type":"content_block_stop","index":1}

    event: message_delta
    data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89}}

    event: message_stop
    data: {"type":"message_stop"}


    """#

    static func tap(_ text: String) throws -> AnthropicStreamUsageTap {
        var parser = SSEParser()
        var tap = AnthropicStreamUsageTap()
        for event in try parser.feed(Array(text.utf8)) + parser.finish() {
            tap.observe(event)
        }
        return tap
    }

    @Test func tapReadsUsageFromStartAndDelta() throws {
        let tap = try Self.tap(Self.passthroughStream)
        #expect(tap.usage == TokenUsage(inputTokens: 25, outputTokens: 89, cacheReadTokens: 2000, cacheCreationTokens: 100))
        #expect(tap.toolUses == 1)
        #expect(tap.sawMessageStart)
        #expect(tap.sawMessageStop)
        #expect(tap.isComplete)
        #expect(tap.stopReason == "tool_use")
        #expect(tap.upstreamModel == "claude-sonnet-4-5-20250929")
        #expect(tap.errorType == nil)
        #expect(tap.outputTextChars == "Checking".count + #"{"city":"Paris"}"#.count)
        #expect(tap.firstContentSeen)
        #expect(tap.malformedEvents == 0)
    }

    @Test func messageDeltaMayCarryInputAndCacheCounters() {
        var tap = AnthropicStreamUsageTap()
        tap.observe(name: "message_start", payload: ["type": "message_start", "message": ["usage": ["input_tokens": 10, "output_tokens": 1]]])
        tap.observe(name: "message_delta", payload: [
            "type": "message_delta", "delta": ["stop_reason": "end_turn"],
            "usage": ["input_tokens": 12, "cache_read_input_tokens": 3, "cache_creation_input_tokens": 4, "output_tokens": 50],
        ])
        tap.observe(name: "message_delta", payload: ["type": "message_delta", "usage": ["output_tokens": 60]])
        #expect(tap.usage == TokenUsage(inputTokens: 12, outputTokens: 60, cacheReadTokens: 3, cacheCreationTokens: 4))
        #expect(tap.isComplete == false)
    }

    @Test func tapNotesErrorsAndMalformedEvents() throws {
        let tap = try Self.tap("""
        event: message_start
        data: {"type":"message_start","message":{"usage":{"input_tokens":5,"output_tokens":1}}}

        event: content_block_delta
        data: {not json

        event: error
        data: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}


        """)
        #expect(tap.errorType == "overloaded_error")
        #expect(tap.errorMessage == "Overloaded")
        #expect(tap.malformedEvents == 1)
        #expect(tap.sawMessageStop == false)
        #expect(tap.isComplete == false)
        #expect(tap.usage.inputTokens == 5)
    }

    @Test func nonStreamingPassthroughUsage() throws {
        let body = try ConversionTestSupport.json("""
        {"id":"msg_1","type":"message","content":[{"type":"text","text":"x"},{"type":"tool_use","id":"a","name":"f","input":{}},{"type":"tool_use","id":"b","name":"g","input":{}}],
         "usage":{"input_tokens":3,"cache_creation_input_tokens":7,"cache_read_input_tokens":11,"output_tokens":13}}
        """)
        let (usage, toolUses) = AnthropicResponseUsage.read(body)
        #expect(usage == TokenUsage(inputTokens: 3, outputTokens: 13, cacheReadTokens: 11, cacheCreationTokens: 7))
        #expect(toolUses == 2)
        #expect(usage.totalInputTokens == 21)
        #expect(AnthropicResponseUsage.read(["content": "x"]).usage == .zero)
    }

    static let statsBody = """
    {"model":"claude-opus-4","max_tokens":4096,"stream":true,
     "system":[{"type":"text","text":"abcd"},{"type":"text","text":"efgh"}],
     "tools":[{"name":"f","description":"dd","input_schema":{"type":"object"}},{"name":"g","input_schema":{}}],
     "messages":[
       {"role":"user","content":"12345678"},
       {"role":"assistant","content":[{"type":"text","text":"ab"},{"type":"tool_use","id":"t1","name":"f","input":{"long":"ignored by the estimate"}},{"type":"tool_use","id":"t2","name":"g","input":{}}]},
       {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"ünï"},{"type":"tool_result","tool_use_id":"t2","content":[{"type":"text","text":"xy"},{"type":"image","source":{}}]},{"type":"text","text":"z"}]}
     ]}
    """

    @Test func requestStats() throws {
        let stats = AnthropicRequestStats(try ConversionTestSupport.json(Self.statsBody))
        #expect(stats.requestedModel == "claude-opus-4")
        #expect(stats.maxTokens == 4096)
        #expect(stats.stream)
        #expect(stats.messageCount == 5) // 3 messages + 2 system blocks
        #expect(stats.toolUseCount == 2)
        #expect(stats.toolResultCount == 2)
        #expect(stats.toolsDefined == 2)
        // system 8 + "12345678" 8 + "ab" 2 + "ünï" 3 + "xy" 2 + "z" 1 + tools ("f" 1 + "dd" 2 + {"type":"object"} 17, "g" 1 + {} 2)
        #expect(stats.approximateChars == 8 + 8 + 2 + 3 + 2 + 1 + 1 + 2 + 17 + 1 + 2)

        let small = AnthropicRequestStats(try ConversionTestSupport.json(#"{"system":"s","messages":[{"role":"user","content":"x"}]}"#))
        #expect(small.messageCount == 2)
        #expect(small.stream == false)
        #expect(small.maxTokens == nil)
        #expect(small.requestedModel == nil)
        #expect(AnthropicRequestStats(.array([])).messageCount == 0)
    }

    @Test func tokenEstimateIsCharsOverFourWithAFloorOfOne() throws {
        #expect(TokenEstimator.estimate(try ConversionTestSupport.json(Self.statsBody)) == 47 / 4)
        #expect(TokenEstimator.estimate(try ConversionTestSupport.json(#"{"messages":[{"role":"user","content":"hi"}]}"#)) == 1)
        #expect(TokenEstimator.estimate(try ConversionTestSupport.json(#"{"messages":[]}"#)) == 1)
        let text = String(repeating: "a", count: 67)
        #expect(TokenEstimator.estimate(["system": .string(text)]) == 16)
    }

    @Test func streamProtocolCheckerCatchesViolations() {
        // The checker used by the stream tests must be able to fail.
        let start = AnthropicStreamEvent("message_start", ["type": "message_start"])
        func block(_ name: String, _ index: JSONValue) -> AnthropicStreamEvent {
            AnthropicStreamEvent(name, ["type": .string(name), "index": index])
        }
        let stop = AnthropicStreamEvent("message_stop", ["type": "message_stop"])
        let delta = AnthropicStreamEvent("message_delta", ["type": "message_delta"])
        #expect(ConversionStreamSupport.protocolViolation([start, block("content_block_start", 0), block("content_block_stop", 0), delta, stop]) == nil)
        #expect(ConversionStreamSupport.protocolViolation([start, block("content_block_start", 1), block("content_block_stop", 1), delta, stop]) != nil)
        #expect(ConversionStreamSupport.protocolViolation([start, block("content_block_start", 0), block("content_block_start", 1), delta, stop]) != nil)
        #expect(ConversionStreamSupport.protocolViolation([start, block("content_block_start", 0), delta, stop]) != nil)
        #expect(ConversionStreamSupport.protocolViolation([start, block("content_block_start", "0"), block("content_block_stop", "0"), delta, stop]) != nil)
        #expect(ConversionStreamSupport.protocolViolation([start, block("content_block_start", 0), block("content_block_stop", 0)]) != nil)
    }
}
