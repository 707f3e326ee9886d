import Testing
import VDMProxy

@Suite("OpenAI → Anthropic response conversion")
struct ConversionResponseTests {
    static func convert(_ text: String, stop: [String] = []) throws -> (body: JSONValue, usage: TokenUsage, toolCalls: Int, stopReason: String) {
        try OpenAIToAnthropicResponse.convert(ConversionTestSupport.json(text), clientModel: "openai:gpt-4o", stopSequences: stop)
    }

    static func conversionError(_ text: String) -> ConversionError? {
        do {
            _ = try convert(text)
            return nil
        } catch let error as ConversionError {
            return error
        } catch {
            return nil
        }
    }

    @Test func textResponseWithCachedUsage() throws {
        let result = try Self.convert("""
        {"id":"chatcmpl-abc","object":"chat.completion","model":"gpt-4o-2024-08-06",
         "choices":[{"index":0,"message":{"role":"assistant","content":"Hello!"},"finish_reason":"stop"}],
         "usage":{"prompt_tokens":2006,"completion_tokens":300,"total_tokens":2306,"prompt_tokens_details":{"cached_tokens":1920}}}
        """)
        #expect(result.body.compactText == #"{"id":"msg_chatcmpl-abc","type":"message","role":"assistant","model":"openai:gpt-4o","content":[{"type":"text","text":"Hello!"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":86,"cache_creation_input_tokens":0,"cache_read_input_tokens":1920,"output_tokens":300}}"#)
        #expect(result.usage == TokenUsage(inputTokens: 86, outputTokens: 300, cacheReadTokens: 1920, cacheCreationTokens: 0))
        #expect(result.toolCalls == 0)
        #expect(result.stopReason == "end_turn")
    }

    @Test func usageNeverNegativeAndMissingIsZero() throws {
        #expect(TokenUsage(openAIUsage: ["prompt_tokens": 5, "prompt_tokens_details": ["cached_tokens": 9]]).inputTokens == 0)
        #expect(TokenUsage(openAIUsage: ["prompt_tokens": 50, "prompt_cache_hit_tokens": 20, "completion_tokens": 3])
            == TokenUsage(inputTokens: 30, outputTokens: 3, cacheReadTokens: 20))
        let result = try Self.convert(#"{"choices":[{"message":{"content":"x"}}]}"#)
        #expect(result.usage == .zero)
        #expect(result.body["usage"] == ["input_tokens": 0, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0, "output_tokens": 0])
    }

    @Test func toolCallsBecomeToolUseBlocks() throws {
        let result = try Self.convert("""
        {"id":"c1","choices":[{"message":{"role":"assistant","content":"Let me check.","tool_calls":[
          {"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}},
          {"type":"function","function":{"name":"broken","arguments":"{\\"city\\":"}},
          {"id":"call_3","type":"function","function":{"name":"noargs","arguments":""}}
        ]},"finish_reason":"tool_calls"}]}
        """)
        let content = try #require(result.body["content"]?.array)
        #expect(content.count == 4)
        #expect(content[0] == ["type": "text", "text": "Let me check."])
        #expect(content[1] == ["type": "tool_use", "id": "call_1", "name": "get_weather", "input": ["city": "Paris"]])
        #expect(content[2]["name"] == "broken")
        #expect(content[2]["input"] == ["raw_arguments": #"{"city":"#])
        let generated = try #require(content[2]["id"]?.string)
        #expect(generated.hasPrefix("toolu_") && generated.count == 30)
        #expect(content[3]["input"] == .object([]))
        #expect(result.toolCalls == 3)
        #expect(result.stopReason == "tool_use")
        #expect(result.body["stop_reason"] == "tool_use")
    }

    @Test func nullContentWithToolCallsHasNoTextBlock() throws {
        let result = try Self.convert("""
        {"choices":[{"message":{"content":null,"tool_calls":[{"id":"a","type":"function","function":{"name":"f","arguments":"{}"}}]},"finish_reason":"tool_calls"}]}
        """)
        #expect(result.body["content"]?.array?.count == 1)
        #expect(result.body["content"]?[0]?["type"] == "tool_use")
        let id = try #require(result.body["id"]?.string)
        #expect(id.hasPrefix("msg_") && id.count == 28)
    }

    @Test func emptyContentBecomesOneEmptyTextBlock() throws {
        for content in ["null", #""""#] {
            let result = try Self.convert(#"{"choices":[{"message":{"content":\#(content)},"finish_reason":"stop"}]}"#)
            #expect(result.body["content"] == [["type": "text", "text": ""]])
        }
    }

    struct StopCase: Sendable, CustomStringConvertible {
        var choiceExtras: String
        var stopSequences: [String]
        var stopReason: String
        var stopSequence: String?
        var description: String { choiceExtras }
    }

    @Test("stop_reason mapping", arguments: [
        StopCase(choiceExtras: #""finish_reason":"stop""#, stopSequences: ["END"], stopReason: "end_turn", stopSequence: nil),
        StopCase(choiceExtras: #""finish_reason":"length""#, stopSequences: [], stopReason: "max_tokens", stopSequence: nil),
        StopCase(choiceExtras: #""finish_reason":"tool_calls""#, stopSequences: [], stopReason: "tool_use", stopSequence: nil),
        StopCase(choiceExtras: #""finish_reason":"function_call""#, stopSequences: [], stopReason: "tool_use", stopSequence: nil),
        StopCase(choiceExtras: #""finish_reason":"content_filter""#, stopSequences: [], stopReason: "refusal", stopSequence: nil),
        StopCase(choiceExtras: #""finish_reason":null"#, stopSequences: [], stopReason: "end_turn", stopSequence: nil),
        StopCase(choiceExtras: #""finish_reason":"weird""#, stopSequences: [], stopReason: "end_turn", stopSequence: nil),
        StopCase(choiceExtras: #""finish_reason":"stop","stop_reason":"END""#, stopSequences: ["END"], stopReason: "stop_sequence", stopSequence: "END"),
        StopCase(choiceExtras: #""finish_reason":"stop","matched_stop":"\n\nHuman:""#, stopSequences: ["\n\nHuman:"], stopReason: "stop_sequence", stopSequence: "\n\nHuman:"),
        StopCase(choiceExtras: #""finish_reason":"stop","stop_reason":"OTHER""#, stopSequences: ["END"], stopReason: "end_turn", stopSequence: nil),
        StopCase(choiceExtras: #""finish_reason":"stop","stop_reason":128001"#, stopSequences: ["END"], stopReason: "end_turn", stopSequence: nil),
    ])
    func stopReasonMapping(_ testCase: StopCase) throws {
        let result = try Self.convert(
            #"{"choices":[{"index":0,"message":{"content":"x"},\#(testCase.choiceExtras)}]}"#, stop: testCase.stopSequences
        )
        #expect(result.stopReason == testCase.stopReason)
        #expect(result.body["stop_reason"]?.string == testCase.stopReason)
        #expect(result.body["stop_sequence"] == JSONValue.stringOrNull(testCase.stopSequence))
    }

    @Test func toolCallsWithFinishReasonStopAreToolUse() throws {
        let result = try Self.convert("""
        {"choices":[{"message":{"tool_calls":[{"id":"a","function":{"name":"f","arguments":"{}"}}]},"finish_reason":"stop"}]}
        """)
        #expect(result.stopReason == "tool_use")
    }

    @Test func refusalIsReportedAsRefusal() throws {
        let result = try Self.convert(#"{"choices":[{"message":{"content":null,"refusal":"I can't help with that."},"finish_reason":"stop"}]}"#)
        #expect(result.body["content"] == [["type": "text", "text": "I can't help with that."]])
        #expect(result.stopReason == "refusal")
    }

    @Test func legacyFunctionCallAndContentParts() throws {
        let result = try Self.convert("""
        {"choices":[{"message":{"content":[{"type":"text","text":"a"},{"type":"text","text":"b"}],"function_call":{"name":"f","arguments":"{\\"x\\":1}"}},"finish_reason":"function_call"}]}
        """)
        #expect(result.body["content"]?[0] == ["type": "text", "text": "ab"])
        #expect(result.body["content"]?[1]?["input"] == ["x": 1])
        #expect(result.toolCalls == 1)
    }

    @Test func errorBodiesAndMalformedResponses() {
        #expect(Self.conversionError(#"{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}"#)
            == ConversionError(.upstreamError, "Rate limit reached", upstreamType: "requests"))
        #expect(Self.conversionError(#"{"error":"boom"}"#) == ConversionError(.upstreamError, "boom"))
        #expect(Self.conversionError(#"{"id":"x","choices":[]}"#) == ConversionError(.upstreamMalformed, "upstream response has no choices"))
        #expect(Self.conversionError(#"{"id":"x"}"#) == ConversionError(.upstreamMalformed, "upstream response has no choices"))
        #expect(Self.conversionError(#"[1]"#) == ConversionError(.upstreamMalformed, "upstream response is not a JSON object"))
        #expect(Self.conversionError(#"{"choices":[{"finish_reason":"stop"}]}"#) == ConversionError(.upstreamMalformed, "upstream response choice has no message"))
        #expect(Self.conversionError(#"{"choices":[{"message":{"tool_calls":[{"id":"a","function":{"arguments":"{}"}}]}}]}"#)
            == ConversionError(.upstreamMalformed, "upstream tool call 0 has no function name"))
        #expect(ConversionError(.upstreamMalformed, "x").httpStatus == 502)
        #expect(ConversionError(.upstreamError, "x").anthropicErrorType == "api_error")
        #expect(ConversionError.invalidRequest("bad").anthropicErrorBody.compactText
            == #"{"type":"error","error":{"type":"invalid_request_error","message":"bad"}}"#)
        let parseError = JSONParseError(offset: 3, reason: "unexpected character ']', expected a value")
        #expect(ConversionError.invalidJSON(parseError)
            == .invalidRequest("request body is not valid JSON: unexpected character ']', expected a value at byte 3"))
    }
}
