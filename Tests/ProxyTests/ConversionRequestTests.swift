import Testing
import VDMProxy

@Suite("Anthropic → OpenAI request conversion")
struct ConversionRequestTests {
    static func convert(_ text: String, stream: Bool = false, model: String = "gpt-4o") throws -> JSONValue {
        try AnthropicToOpenAIRequest.convert(ConversionTestSupport.json(text), upstreamModel: model, stream: stream)
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

    // MARK: System prompt

    @Test func systemStringIsTheFirstMessage() throws {
        let out = try Self.convert(#"{"model":"claude","max_tokens":10,"system":"Be brief.","messages":[{"role":"user","content":"Hi"}]}"#)
        #expect(out.compactText == #"{"model":"gpt-4o","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"}],"max_tokens":10}"#)
    }

    @Test func systemBlocksAreJoinedWithBlankLines() throws {
        let out = try Self.convert("""
        {"model":"c","max_tokens":5,"system":[{"type":"text","text":"One.","cache_control":{"type":"ephemeral"}},{"type":"text","text":"Two."}],
         "messages":[{"role":"user","content":"Hi"}]}
        """)
        #expect(out["messages"]?[0] == ["role": "system", "content": "One.\n\nTwo."])
        #expect(out["messages"]?.array?.count == 2)
    }

    @Test func emptyOrAbsentSystemAddsNoMessage() throws {
        for system in [#""system":"","#, #""system":[],"#, #""system":null,"#, ""] {
            let out = try Self.convert(#"{"model":"c",\#(system)"messages":[{"role":"user","content":"Hi"}]}"#)
            #expect(out["messages"]?[0]?["role"] == "user", "\(system)")
        }
    }

    @Test func systemWithNonTextBlockIsRejected() {
        let error = Self.conversionError(#"{"system":[{"type":"image","source":{}}],"messages":[{"role":"user","content":"x"}]}"#)
        #expect(error == .invalidRequest(#"system.0.type: system blocks must be of type "text", got "image""#))
    }

    // MARK: Content

    @Test func userAndAssistantText() throws {
        let out = try Self.convert("""
        {"messages":[
          {"role":"user","content":[{"type":"text","text":"Hello"}]},
          {"role":"assistant","content":[{"type":"text","text":"Hi "},{"type":"text","text":"there"}]},
          {"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]},
          {"role":"assistant","content":"plain"}
        ]}
        """)
        #expect(out["messages"] == [
            ["role": "user", "content": "Hello"],
            ["role": "assistant", "content": "Hi there"],
            ["role": "user", "content": [["type": "text", "text": "a"], ["type": "text", "text": "b"]]],
            ["role": "assistant", "content": "plain"],
        ])
    }

    @Test func imagesOfBothSourceKinds() throws {
        let out = try Self.convert("""
        {"messages":[{"role":"user","content":[
          {"type":"text","text":"What is this?"},
          {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},
          {"type":"image","source":{"type":"url","url":"https://example.com/cat.jpg"}}
        ]}]}
        """)
        #expect(out["messages"]?[0]?["content"] == [
            ["type": "text", "text": "What is this?"],
            ["type": "image_url", "image_url": ["url": "data:image/png;base64,iVBORw0KGgo="]],
            ["type": "image_url", "image_url": ["url": "https://example.com/cat.jpg"]],
        ])
    }

    @Test func singleImageStaysAList() throws {
        let out = try Self.convert(#"{"messages":[{"role":"user","content":[{"type":"image","source":{"type":"url","url":"u"}}]}]}"#)
        #expect(out["messages"]?[0]?["content"]?.array?.count == 1)
    }

    @Test func documentsBecomeTextOrFileParts() throws {
        let out = try Self.convert("""
        {"messages":[{"role":"user","content":[
          {"type":"document","source":{"type":"text","media_type":"text/plain","data":"The grass is green."}},
          {"type":"document","title":"r.pdf","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0="}},
          {"type":"document","source":{"type":"content","content":[{"type":"text","text":"Inline"}]}}
        ]}]}
        """)
        #expect(out["messages"]?[0]?["content"] == [
            ["type": "text", "text": "The grass is green."],
            ["type": "file", "file": ["filename": "r.pdf", "file_data": "data:application/pdf;base64,JVBERi0="]],
            ["type": "text", "text": "Inline"],
        ])
    }

    @Test func thinkingAndUnknownBlocksAreDropped() throws {
        let out = try Self.convert("""
        {"messages":[
          {"role":"user","content":"q"},
          {"role":"assistant","content":[{"type":"thinking","thinking":"hmm","signature":"sig"},{"type":"redacted_thinking","data":"xx"},{"type":"text","text":"answer"}]},
          {"role":"user","content":[{"type":"some_future_block","x":1},{"type":"text","text":"next"}]},
          {"role":"assistant","content":[{"type":"thinking","thinking":"only thoughts","signature":"s"}]}
        ]}
        """)
        #expect(out["messages"] == [
            ["role": "user", "content": "q"],
            ["role": "assistant", "content": "answer"],
            ["role": "user", "content": "next"],
        ])
    }

    // MARK: Tools round trip

    @Test func toolRoundTripKeepsTextBesideToolResults() throws {
        let out = try Self.convert("""
        {"model":"claude","max_tokens":100,"messages":[
          {"role":"user","content":"Weather in Paris and Rome?"},
          {"role":"assistant","content":[
            {"type":"text","text":"Checking."},
            {"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris","units":"°C"}},
            {"type":"tool_use","id":"toolu_2","name":"get_weather","input":{"city":"Rome"}}
          ]},
          {"role":"user","content":[
            {"type":"text","text":"Here you go"},
            {"type":"tool_result","tool_use_id":"toolu_1","content":"18°C"},
            {"type":"tool_result","tool_use_id":"toolu_2","content":[{"type":"text","text":"line1"},{"type":"text","text":"line2"}],"is_error":true},
            {"type":"image","source":{"type":"url","url":"https://x/y.png"}}
          ]}
        ]}
        """)
        let messages = try #require(out["messages"]?.array)
        #expect(messages.count == 5)
        #expect(messages[1] == [
            "role": "assistant",
            "content": "Checking.",
            "tool_calls": [
                ["id": "toolu_1", "type": "function", "function": ["name": "get_weather", "arguments": #"{"city":"Paris","units":"°C"}"#]],
                ["id": "toolu_2", "type": "function", "function": ["name": "get_weather", "arguments": #"{"city":"Rome"}"#]],
            ],
        ])
        #expect(messages[2] == ["role": "tool", "tool_call_id": "toolu_1", "content": "18°C"])
        #expect(messages[3] == ["role": "tool", "tool_call_id": "toolu_2", "content": "Error: line1\nline2"])
        #expect(messages[4] == [
            "role": "user",
            "content": [["type": "text", "text": "Here you go"], ["type": "image_url", "image_url": ["url": "https://x/y.png"]]],
        ])
    }

    @Test func assistantWithOnlyToolCallsHasNullContent() throws {
        let out = try Self.convert("""
        {"messages":[{"role":"user","content":"go"},
          {"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"noargs","input":{}}]},
          {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1"}]}]}
        """)
        #expect(out["messages"]?[1]?["content"] == .null)
        #expect(out["messages"]?[1]?["tool_calls"]?[0]?["function"]?["arguments"] == "{}")
        #expect(out["messages"]?[2] == ["role": "tool", "tool_call_id": "t1", "content": ""])
        #expect(out["messages"]?.array?.count == 3)
    }

    @Test func imagesInsideToolResultsMoveToAFollowingUserMessage() throws {
        let out = try Self.convert("""
        {"messages":[{"role":"user","content":"shot"},
          {"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"screenshot","input":{}}]},
          {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":[
            {"type":"text","text":"captured"},
            {"type":"image","source":{"type":"base64","media_type":"image/jpeg","data":"AAA"}}]}]}]}
        """)
        #expect(out["messages"]?[2] == ["role": "tool", "tool_call_id": "t1", "content": "captured"])
        #expect(out["messages"]?[3] == [
            "role": "user", "content": [["type": "image_url", "image_url": ["url": "data:image/jpeg;base64,AAA"]]],
        ])
    }

    @Test func orphanToolResultIsRejected() {
        let error = Self.conversionError("""
        {"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"nope","content":"x"}]}]}
        """)
        #expect(error?.kind == .invalidRequest)
        #expect(error?.message.hasPrefix("messages.0.content.0: unexpected `tool_use_id` found in `tool_result` blocks: nope.") == true)
    }

    @Test func toolsBecomeFunctions() throws {
        let out = try Self.convert("""
        {"messages":[{"role":"user","content":"x"}],"tools":[
          {"name":"get_weather","description":"Weather","input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]},"cache_control":{"type":"ephemeral"}},
          {"name":"bare","input_schema":{"type":"object"}},
          {"type":"web_search_20250305","name":"web_search","max_uses":3}
        ]}
        """)
        #expect(out["tools"] == [
            ["type": "function", "function": [
                "name": "get_weather", "description": "Weather",
                "parameters": ["type": "object", "properties": ["city": ["type": "string"]], "required": ["city"]],
            ]],
            ["type": "function", "function": ["name": "bare", "parameters": ["type": "object"]]],
        ])
    }

    struct ChoiceCase: Sendable {
        var anthropic: String
        var openAI: String
        var parallel: Bool?
    }

    @Test("tool_choice mapping", arguments: [
        ChoiceCase(anthropic: #"{"type":"auto"}"#, openAI: #""auto""#, parallel: nil),
        ChoiceCase(anthropic: #"{"type":"any"}"#, openAI: #""required""#, parallel: nil),
        ChoiceCase(anthropic: #"{"type":"none"}"#, openAI: #""none""#, parallel: nil),
        ChoiceCase(anthropic: #"{"type":"tool","name":"get_weather"}"#, openAI: #"{"type":"function","function":{"name":"get_weather"}}"#, parallel: nil),
        ChoiceCase(anthropic: #"{"type":"auto","disable_parallel_tool_use":true}"#, openAI: #""auto""#, parallel: false),
        ChoiceCase(anthropic: #"{"type":"any","disable_parallel_tool_use":false}"#, openAI: #""required""#, parallel: nil),
    ])
    func toolChoice(_ testCase: ChoiceCase) throws {
        let out = try Self.convert("""
        {"messages":[{"role":"user","content":"x"}],"tools":[{"name":"get_weather","input_schema":{"type":"object"}}],
         "tool_choice":\(testCase.anthropic)}
        """)
        #expect(out["tool_choice"]?.compactText == testCase.openAI)
        #expect(out["parallel_tool_calls"]?.bool == testCase.parallel)
    }

    @Test func toolChoiceWithoutToolsIsOmitted() throws {
        let out = try Self.convert(#"{"messages":[{"role":"user","content":"x"}],"tool_choice":{"type":"any"}}"#)
        #expect(out["tool_choice"] == nil)
        #expect(out["tools"] == nil)
    }

    // MARK: Parameters

    @Test func samplingParametersOnlyWhenSent() throws {
        let without = try Self.convert(#"{"max_tokens":50000,"messages":[{"role":"user","content":"x"}]}"#)
        #expect(without["temperature"] == nil)
        #expect(without["top_p"] == nil)
        #expect(without["stop"] == nil)
        #expect(without["user"] == nil)
        #expect(without["stream"] == nil)
        #expect(without["max_tokens"] == 50000) // not clamped

        let with = try Self.convert("""
        {"max_tokens":7,"temperature":0.70,"top_p":1,"top_k":40,"stop_sequences":["END","\\n\\nHuman:"],
         "metadata":{"user_id":"user-42"},"thinking":{"type":"enabled","budget_tokens":1024},
         "messages":[{"role":"user","content":"x"}]}
        """)
        #expect(with.compactText == #"{"model":"gpt-4o","messages":[{"role":"user","content":"x"}],"max_tokens":7,"temperature":0.70,"top_p":1,"stop":["END","\n\nHuman:"],"user":"user-42"}"#)
    }

    @Test func streamingAddsIncludeUsage() throws {
        let out = try Self.convert(#"{"stream":true,"messages":[{"role":"user","content":"x"}]}"#, stream: true, model: "up")
        #expect(out.compactText == #"{"model":"up","messages":[{"role":"user","content":"x"}],"stream":true,"stream_options":{"include_usage":true}}"#)
    }

    // MARK: Invalid shapes

    @Test("invalid shapes are 400s with a path", arguments: [
        (#"[]"#, "request body: expected a JSON object, got array"),
        (#"{}"#, "messages: field required"),
        (#"{"messages":"hi"}"#, "messages: expected an array, got string"),
        (#"{"messages":[]}"#, "messages: at least one message is required"),
        (#"{"messages":[1]}"#, "messages.0: expected an object, got number"),
        (#"{"messages":[{"role":"system","content":"x"}]}"#, #"messages.0.role: expected "user" or "assistant""#),
        (#"{"messages":[{"role":"user"}]}"#, "messages.0.content: field required"),
        (#"{"messages":[{"role":"user","content":5}]}"#, "messages.0.content: expected a string or a list of blocks, got number"),
        (#"{"messages":[{"role":"user","content":[{"text":"x"}]}]}"#, "messages.0.content.0.type: field required"),
        (#"{"messages":[{"role":"user","content":["x"]}]}"#, "messages.0.content.0: expected a content block object, got string"),
        (#"{"messages":[{"role":"user","content":[{"type":"text"}]}]}"#, "messages.0.content.0.text: field required"),
        (#"{"messages":[{"role":"assistant","content":[{"type":"tool_use","name":"f","input":{}}]}]}"#, "messages.0.content.0.id: field required"),
        (#"{"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"t","input":{}}]}]}"#, "messages.0.content.0.name: field required"),
        (#"{"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"f","input":[1]}]}]}"#, "messages.0.content.0.input: expected an object, got array"),
        (#"{"messages":[{"role":"user","content":[{"type":"tool_use","id":"t","name":"f","input":{}}]}]}"#, "messages.0.content.0: tool_use blocks are only allowed in assistant messages"),
        (#"{"messages":[{"role":"user","content":[{"type":"image","source":{"type":"file","file_id":"f"}}]}]}"#, #"messages.0.content.0.source.type: image source "file" is not supported by this provider"#),
        (#"{"messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","data":"x"}}]}]}"#, "messages.0.content.0.source.media_type: field required"),
        (#"{"messages":[{"role":"user","content":"x"}],"tools":[{"input_schema":{}}]}"#, "tools.0.name: field required"),
        (#"{"messages":[{"role":"user","content":"x"}],"tools":[{"name":"f"}]}"#, "tools.0.input_schema: field required"),
        (#"{"messages":[{"role":"user","content":"x"}],"tools":[{"name":"f","input_schema":{}}],"tool_choice":{"type":"maybe"}}"#, #"tool_choice.type: expected "auto", "any", "tool" or "none", got "maybe""#),
        (#"{"messages":[{"role":"user","content":"x"}],"tools":[{"name":"f","input_schema":{}}],"tool_choice":{"type":"tool"}}"#, "tool_choice.name: field required"),
        (#"{"messages":[{"role":"user","content":"x"}],"max_tokens":"10"}"#, "max_tokens: expected a number, got string"),
        (#"{"messages":[{"role":"user","content":"x"}],"max_tokens":1.5}"#, "max_tokens: expected an integer"),
        (#"{"messages":[{"role":"user","content":"x"}],"temperature":"hot"}"#, "temperature: expected a number, got string"),
        (#"{"messages":[{"role":"user","content":"x"}],"stop_sequences":"END"}"#, "stop_sequences: expected a list of strings, got string"),
        (#"{"messages":[{"role":"user","content":"x"}],"stop_sequences":[1]}"#, "stop_sequences.0: expected a string, got number"),
        (#"{"system":5,"messages":[{"role":"user","content":"x"}]}"#, "system: expected a string or a list of text blocks, got number"),
    ])
    func invalidShapes(input: String, message: String) {
        let error = Self.conversionError(input)
        #expect(error == .invalidRequest(message))
        #expect(error?.anthropicErrorType == "invalid_request_error")
        #expect(error?.httpStatus == 400)
    }
}
