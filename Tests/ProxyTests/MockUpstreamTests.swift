import Foundation
import Testing

import MockUpstream

/// Replies of the mock upstream over real HTTP: both formats, streaming and not, tool calls, cache.
@Suite("Mock upstream replies")
struct MockUpstreamTests {
    @Test func anthropicNonStreaming() async throws {
        try await MockUpstream.withRunning { mock in
            let user = "Hello there, what is the weather like in Paris today?"
            let body = MockTestBodies.anthropic(user, system: "You are terse.")
            let reply = try await MockTestClient.send(mock, path: "/v1/messages", body: body)
            #expect(reply.status == 200)
            #expect(reply.headers["content-type"] == "application/json")
            #expect(reply.headers["request-id"]?.hasPrefix("req_mock_") == true)
            let json = try reply.json()
            #expect(json.mockString("type") == "message")
            #expect(json.mockString("role") == "assistant")
            #expect(json.mockString("model") == "claude-test")
            #expect(json.mockString("stop_reason") == "end_turn")
            #expect(json["stop_sequence"] is NSNull)
            let content = try #require(json.mockList("content"))
            #expect(content.count == 1)
            #expect(content[0].mockString("type") == "text")
            let text = try #require(content[0].mockString("text"))
            #expect(text.hasPrefix("Mock reply to: Hello there, what is the weather like in"))
            let usage = try #require(json.mockDict("usage"))
            #expect(usage.mockInt("input_tokens") == MockTestFormula.inputTotal(["You are terse.", user]))
            #expect(usage.mockInt("cache_read_input_tokens") == 0)
            #expect(usage.mockInt("cache_creation_input_tokens") == 0)
            let words = text.split(separator: " ").count
            #expect(usage.mockInt("output_tokens") == words)
            #expect(words == MockTestFormula.outputWords(lastUser: user))

            // Deterministic: the same request gives the same bytes.
            let again = try await MockTestClient.send(mock, path: "/v1/messages", body: body)
            #expect(again.body == reply.body)
        }
    }

    @Test func openAINonStreaming() async throws {
        try await MockUpstream.withRunning { mock in
            let user = "Summarise the plot of Hamlet in two sentences please."
            let body = MockTestBodies.openAI(user, system: "Be brief.")
            let reply = try await MockTestClient.send(mock, path: "/v1/chat/completions", body: body)
            #expect(reply.status == 200)
            let json = try reply.json()
            #expect(json.mockString("object") == "chat.completion")
            #expect(json.mockString("model") == "gpt-test")
            let choice = try #require(json.mockList("choices")?.first)
            #expect(choice.mockInt("index") == 0)
            #expect(choice.mockString("finish_reason") == "stop")
            let message = try #require(choice.mockDict("message"))
            #expect(message.mockString("role") == "assistant")
            let text = try #require(message.mockString("content"))
            #expect(text.hasPrefix("Mock reply to: Summarise the plot"))
            let usage = try #require(json.mockDict("usage"))
            let prompt = MockTestFormula.inputTotal(["Be brief.", user])
            let completion = text.split(separator: " ").count
            #expect(usage.mockInt("prompt_tokens") == prompt)
            #expect(usage.mockInt("completion_tokens") == completion)
            #expect(usage.mockInt("total_tokens") == prompt + completion)
            #expect(usage.mockDict("prompt_tokens_details")?.mockInt("cached_tokens") == 0)

            // Also served without the /v1 prefix.
            let bare = try await MockTestClient.send(mock, path: "/chat/completions", body: body)
            #expect(bare.status == 200)
            #expect(bare.body == reply.body)
        }
    }

    @Test func anthropicStreamingEventOrder() async throws {
        try await MockUpstream.withRunning { mock in
            let user = String(repeating: "stream me a fairly long answer ", count: 8)
            let plain = try await MockTestClient.send(mock, path: "/v1/messages", body: MockTestBodies.anthropic(user))
            let expectedText = try #require(try plain.json().mockList("content")?.first?.mockString("text"))

            let reply = try await MockTestClient.send(mock, path: "/v1/messages", body: MockTestBodies.anthropic(user, stream: true))
            #expect(reply.status == 200)
            #expect(reply.headers["content-type"] == "text/event-stream")
            #expect(reply.bodyError == nil)
            let events = MockTestClient.events(reply.text)
            let names = events.map { $0.event ?? "" }
            #expect(names.first == "message_start")
            #expect(Array(names.suffix(3)) == ["content_block_stop", "message_delta", "message_stop"])
            #expect(names[1] == "content_block_start")
            #expect(names.contains("ping"))

            var text = ""
            var deltas = 0
            for event in events {
                let json = try event.json()
                #expect(json.mockString("type") == event.event)
                switch event.event {
                case "message_start":
                    let usage = try #require(json.mockDict("message")?.mockDict("usage"))
                    #expect(usage.mockInt("input_tokens") == MockTestFormula.inputTotal([user]))
                    #expect(usage.mockInt("cache_read_input_tokens") == 0)
                    #expect(usage.mockInt("cache_creation_input_tokens") == 0)
                    #expect(usage.mockInt("output_tokens") == 1)
                    #expect(json.mockDict("message")?.mockList("content")?.isEmpty == true)
                case "content_block_start", "content_block_stop":
                    #expect(json["index"] as? Int == 0)
                case "content_block_delta":
                    #expect(json.mockInt("index") == 0)
                    let delta = try #require(json.mockDict("delta"))
                    #expect(delta.mockString("type") == "text_delta")
                    text += delta.mockString("text") ?? ""
                    deltas += 1
                case "message_delta":
                    #expect(json.mockDict("delta")?.mockString("stop_reason") == "end_turn")
                    #expect(json.mockDict("usage")?.mockInt("output_tokens") == expectedText.split(separator: " ").count)
                default:
                    break
                }
            }
            #expect(deltas > 1)
            #expect(text == expectedText)
        }
    }

    @Test func openAIStreamingWithTrailingUsage() async throws {
        try await MockUpstream.withRunning { mock in
            let user = "Tell me a story about a lighthouse keeper and the sea."
            let reply = try await MockTestClient.send(
                mock,
                path: "/v1/chat/completions",
                body: MockTestBodies.openAI(user, stream: true, includeUsage: true)
            )
            #expect(reply.status == 200)
            #expect(reply.headers["content-type"] == "text/event-stream")
            let events = MockTestClient.events(reply.text)
            #expect(events.allSatisfy { $0.event == nil })
            #expect(events.last?.data == "[DONE]")
            let chunks = try events.dropLast().map { try $0.json() }
            #expect(chunks.count >= 4)

            // The finish_reason chunk comes right before the usage chunk, which comes right before [DONE].
            let usageChunk = try #require(chunks.last)
            #expect(usageChunk.mockList("choices")?.isEmpty == true)
            let usage = try #require(usageChunk.mockDict("usage"))
            let finishChunk = chunks[chunks.count - 2]
            #expect(finishChunk.mockList("choices")?.first?.mockString("finish_reason") == "stop")
            #expect(finishChunk["usage"] == nil)

            let first = try #require(chunks.first?.mockList("choices")?.first)
            #expect(first.mockDict("delta")?.mockString("role") == "assistant")
            var text = ""
            for (position, chunk) in chunks.dropLast().enumerated() {
                #expect(chunk.mockString("object") == "chat.completion.chunk")
                let choice = try #require(chunk.mockList("choices")?.first)
                #expect(choice["index"] as? Int == 0)
                text += choice.mockDict("delta")?.mockString("content") ?? ""
                // Only the chunk right before the usage chunk carries a finish_reason.
                #expect((choice.mockString("finish_reason") != nil) == (position == chunks.count - 2))
            }
            #expect(text.hasPrefix("Mock reply to: Tell me a story"))
            let completion = text.split(separator: " ").count
            #expect(usage.mockInt("completion_tokens") == completion)
            #expect(usage.mockInt("prompt_tokens") == MockTestFormula.inputTotal([user]))
            #expect(usage.mockInt("total_tokens") == MockTestFormula.inputTotal([user]) + completion)
            #expect(usage.mockDict("prompt_tokens_details")?.mockInt("cached_tokens") == 0)

            // Without include_usage there is no usage anywhere.
            let plain = try await MockTestClient.send(mock, path: "/v1/chat/completions", body: MockTestBodies.openAI(user, stream: true))
            #expect(!plain.text.contains("\"usage\""))
            #expect(MockTestClient.events(plain.text).last?.data == "[DONE]")
        }
    }

    @Test func maxTokensTruncates() async throws {
        try await MockUpstream.withRunning { mock in
            let anthropic = try await MockTestClient.send(
                mock,
                path: "/v1/messages",
                body: MockTestBodies.anthropic("Write a long essay about rivers", maxTokens: 5)
            ).json()
            #expect(anthropic.mockString("stop_reason") == "max_tokens")
            #expect(anthropic.mockDict("usage")?.mockInt("output_tokens") == 5)
            #expect(anthropic.mockList("content")?.first?.mockString("text") == "Mock reply to: Write a")

            let openAI = try await MockTestClient.send(
                mock,
                path: "/v1/chat/completions",
                body: MockTestBodies.openAI("Write a long essay about rivers", maxTokens: 2)
            ).json()
            #expect(openAI.mockList("choices")?.first?.mockString("finish_reason") == "length")
            #expect(openAI.mockDict("usage")?.mockInt("completion_tokens") == 2)
        }
    }

    @Test func anthropicToolCallsStreaming() async throws {
        try await MockUpstream.withRunning { mock in
            let user = "find me something mock:tools=2"
            let body = MockTestBodies.anthropic(user, stream: true, extra: MockTestBodies.anthropicTools)
            let reply = try await MockTestClient.send(mock, path: "/v1/messages", body: body)
            #expect(reply.status == 200)
            let events = MockTestClient.events(reply.text)
            var partials: [Int: String] = [:]
            var fragmentsPerBlock: [Int: Int] = [:]
            var starts: [(Int, String, String)] = []
            var openIndex: Int?
            var stopReason: String?
            for event in events {
                let json = try event.json()
                switch event.event {
                case "content_block_start":
                    #expect(openIndex == nil, "blocks must not overlap")
                    let index = try #require(json["index"] as? Int)
                    openIndex = index
                    let block = try #require(json.mockDict("content_block"))
                    #expect(block.mockString("type") == "tool_use")
                    #expect((block["input"] as? [String: Any])?.isEmpty == true)
                    starts.append((index, try #require(block.mockString("id")), try #require(block.mockString("name"))))
                case "content_block_delta":
                    let index = try #require(json["index"] as? Int)
                    #expect(index == openIndex)
                    let delta = try #require(json.mockDict("delta"))
                    #expect(delta.mockString("type") == "input_json_delta")
                    partials[index, default: ""] += delta.mockString("partial_json") ?? ""
                    fragmentsPerBlock[index, default: 0] += 1
                case "content_block_stop":
                    #expect(json["index"] as? Int == openIndex)
                    openIndex = nil
                case "message_delta":
                    stopReason = json.mockDict("delta")?.mockString("stop_reason")
                default:
                    break
                }
            }
            #expect(starts.map(\.0) == [0, 1])
            #expect(starts.map(\.2) == ["search", "lookup"])
            #expect(Set(starts.map(\.1)).count == 2)
            #expect(stopReason == "tool_use")
            for index in [0, 1] {
                #expect((fragmentsPerBlock[index] ?? 0) > 2)
                let input = try JSONSerialization.jsonObject(with: Data((partials[index] ?? "").utf8)) as? [String: Any]
                let query = try #require(input?.mockString("query"))
                #expect(query.hasPrefix("find me something mock:tools=2"))
            }

            // Non-streaming: the same calls as tool_use blocks.
            let plain = try await MockTestClient.send(mock, path: "/v1/messages", body: MockTestBodies.anthropic(user, extra: MockTestBodies.anthropicTools)).json()
            #expect(plain.mockString("stop_reason") == "tool_use")
            let blocks = try #require(plain.mockList("content"))
            #expect(blocks.map { $0.mockString("type") } == ["tool_use", "tool_use"])
            #expect(blocks[0].mockDict("input")?.mockString("query") == "find me something mock:tools=2")
            #expect(blocks[1].mockDict("input")?.mockString("query") == "find me something mock:tools=2 (2)")
        }
    }

    @Test func openAIToolCallsStreaming() async throws {
        try await MockUpstream.withRunning { mock in
            let body = MockTestBodies.openAI("call the tool mock:tool please", stream: true, includeUsage: true, extra: MockTestBodies.openAITools)
            let reply = try await MockTestClient.send(mock, path: "/v1/chat/completions", body: body)
            let events = MockTestClient.events(reply.text)
            #expect(events.last?.data == "[DONE]")
            var arguments: [Int: String] = [:]
            var ids: [Int: String] = [:]
            var names: [Int: String] = [:]
            var fragments = 0
            var finish: String?
            for event in events.dropLast() {
                let chunk = try event.json()
                guard let choice = chunk.mockList("choices")?.first else { continue }
                if let reason = choice.mockString("finish_reason") { finish = reason }
                for call in choice.mockDict("delta")?.mockList("tool_calls") ?? [] {
                    let index = try #require(call["index"] as? Int)
                    if let id = call.mockString("id") {
                        #expect(ids[index] == nil, "id only on the first fragment")
                        ids[index] = id
                        #expect(call.mockString("type") == "function")
                        names[index] = call.mockDict("function")?.mockString("name")
                    } else {
                        #expect(ids[index] != nil, "first fragment carries the id")
                        #expect(call.mockDict("function")?["name"] == nil)
                    }
                    arguments[index, default: ""] += call.mockDict("function")?.mockString("arguments") ?? ""
                    fragments += 1
                }
            }
            #expect(finish == "tool_calls")
            #expect(names == [0: "search"])
            #expect(fragments > 3)
            let parsed = try JSONSerialization.jsonObject(with: Data((arguments[0] ?? "").utf8)) as? [String: Any]
            #expect(parsed?.mockString("query") == "call the tool mock:tool please")
            let usage = try #require(try events[events.count - 2].json().mockDict("usage"))
            #expect((usage.mockInt("completion_tokens") ?? 0) > 0)

            // tool_choice none: no tool call even with the directive.
            let none = try await MockTestClient.send(
                mock,
                path: "/v1/chat/completions",
                body: MockTestBodies.openAI("mock:tool", extra: MockTestBodies.openAITools + ",\"tool_choice\":\"none\"")
            ).json()
            #expect(none.mockList("choices")?.first?.mockString("finish_reason") == "stop")

            // A forced tool: a call without the directive.
            let forced = try await MockTestClient.send(
                mock,
                path: "/v1/chat/completions",
                body: MockTestBodies.openAI(
                    "plain question",
                    extra: MockTestBodies.openAITools + ",\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"lookup\"}}"
                )
            ).json()
            let choice = try #require(forced.mockList("choices")?.first)
            #expect(choice.mockString("finish_reason") == "tool_calls")
            let call = try #require(choice.mockDict("message")?.mockList("tool_calls")?.first)
            #expect(call.mockDict("function")?.mockString("name") == "lookup")
            let args = try #require(call.mockDict("function")?.mockString("arguments"))
            #expect(args == "{\"query\": \"plain question\"}")
        }
    }

    @Test func toolResultTurnAnswersWithText() async throws {
        try await MockUpstream.withRunning { mock in
            // The first turn asked for a tool; the last user turn carries only the tool result.
            let body = """
                {"model":"claude-test","max_tokens":100,"tools":[{"name":"search","input_schema":{"type":"object"}}],
                 "messages":[{"role":"user","content":"look it up mock:tool"},
                  {"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"search","input":{"query":"x"}}]},
                  {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"sunny and warm"}]}]}
                """
            let json = try await MockTestClient.send(mock, path: "/v1/messages", body: body).json()
            #expect(json.mockString("stop_reason") == "end_turn")
            #expect(json.mockList("content")?.first?.mockString("text")?.hasPrefix("Mock reply to: sunny and warm") == true)
            #expect(json.mockDict("usage")?.mockInt("input_tokens") == MockTestFormula.inputTotal(["look it up mock:tool", "sunny and warm"]))
        }
    }

    @Test func cacheDirectivesAndCacheControl() async throws {
        try await MockUpstream.withRunning { mock in
            let system = String(repeating: "A long shared system prompt. ", count: 40)
            let user = "question mock:cache=100 mock:cache_create=20"
            let total = MockTestFormula.inputTotal([system, user])

            let anthropic = try await MockTestClient.send(mock, path: "/v1/messages", body: MockTestBodies.anthropic(user, system: system)).json()
            let usage = try #require(anthropic.mockDict("usage"))
            #expect(usage.mockInt("cache_read_input_tokens") == 100)
            #expect(usage.mockInt("cache_creation_input_tokens") == 20)
            #expect(usage.mockInt("input_tokens") == total - 120)

            let openAI = try await MockTestClient.send(mock, path: "/v1/chat/completions", body: MockTestBodies.openAI(user, system: system)).json()
            let openAIUsage = try #require(openAI.mockDict("usage"))
            #expect(openAIUsage.mockInt("prompt_tokens") == total)
            #expect(openAIUsage.mockDict("prompt_tokens_details")?.mockInt("cached_tokens") == 100)

            // cache_control without a directive: half the input is read from cache.
            let body = """
                {"model":"claude-test","max_tokens":50,
                 "system":[{"type":"text","text":\(MockJSONText.quoted(system)),"cache_control":{"type":"ephemeral"}}],
                 "messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}]}
                """
            let cached = try await MockTestClient.send(mock, path: "/v1/messages", body: body).json()
            let cachedTotal = MockTestFormula.inputTotal([system, "hi"])
            #expect(cached.mockDict("usage")?.mockInt("cache_read_input_tokens") == cachedTotal / 2)
            #expect(cached.mockDict("usage")?.mockInt("input_tokens") == cachedTotal - cachedTotal / 2)

            // Streaming message_start carries the cache counters.
            let streamed = try await MockTestClient.send(mock, path: "/v1/messages", body: MockTestBodies.anthropic(user, stream: true, system: system))
            let start = try #require(MockTestClient.events(streamed.text).first).json()
            #expect(start.mockDict("message")?.mockDict("usage")?.mockInt("cache_read_input_tokens") == 100)
            #expect(start.mockDict("message")?.mockDict("usage")?.mockInt("input_tokens") == total - 120)
        }
    }

    @Test func countTokens() async throws {
        try await MockUpstream.withRunning { mock in
            let user = "How many tokens is this message, roughly speaking?"
            let reply = try await MockTestClient.send(mock, path: "/v1/messages/count_tokens", body: MockTestBodies.anthropic(user, system: "sys"))
            #expect(reply.status == 200)
            #expect(try reply.json().mockInt("input_tokens") == MockTestFormula.inputTotal(["sys", user]))
            #expect(reply.text == "{\"input_tokens\":\(MockTestFormula.inputTotal(["sys", user]))}")
        }
    }

    @Test func badRequestsAndRoutes() async throws {
        try await MockUpstream.withRunning { mock in
            let invalid = try await MockTestClient.send(mock, path: "/v1/messages", body: "{not json")
            #expect(invalid.status == 400)
            #expect(try invalid.json().mockDict("error")?.mockString("type") == "invalid_request_error")
            let invalidOpenAI = try await MockTestClient.send(mock, path: "/v1/chat/completions", body: "[]")
            #expect(invalidOpenAI.status == 400)
            #expect(try invalidOpenAI.json().mockDict("error")?.mockString("type") == "invalid_request_error")
            let missing = try await MockTestClient.send(mock, path: "/v2/nothing", method: "GET")
            #expect(missing.status == 404)
            #expect(try missing.json().mockDict("error")?.mockString("type") == "not_found_error")
            let health = try await MockTestClient.send(mock, path: "/health", method: "GET")
            #expect(health.status == 200)
        }
    }

    @Test func stopSequencesEndTheReply() async throws {
        try await MockUpstream.withRunning { mock in
            let anthropic = try await MockTestClient.send(
                mock,
                path: "/v1/messages",
                body: MockTestBodies.anthropic("tell me about rivers", extra: ",\"stop_sequences\":[\"zzz\",\"about\"]")
            ).json()
            #expect(anthropic.mockString("stop_reason") == "stop_sequence")
            #expect(anthropic.mockString("stop_sequence") == "about")
            #expect(anthropic.mockList("content")?.first?.mockString("text") == "Mock reply to: tell me ")
            #expect(anthropic.mockDict("usage")?.mockInt("output_tokens") == 5)

            let streamed = try await MockTestClient.send(
                mock,
                path: "/v1/messages",
                body: MockTestBodies.anthropic("tell me about rivers", stream: true, extra: ",\"stop_sequences\":[\"about\"]")
            )
            let delta = try #require(MockTestClient.events(streamed.text).first { $0.event == "message_delta" }).json()
            #expect(delta.mockDict("delta")?.mockString("stop_reason") == "stop_sequence")
            #expect(delta.mockDict("delta")?.mockString("stop_sequence") == "about")

            let openAI = try await MockTestClient.send(
                mock,
                path: "/v1/chat/completions",
                body: MockTestBodies.openAI("tell me about rivers", extra: ",\"stop\":\"about\"")
            ).json()
            let choice = try #require(openAI.mockList("choices")?.first)
            #expect(choice.mockString("finish_reason") == "stop")
            #expect(choice.mockDict("message")?.mockString("content") == "Mock reply to: tell me ")
        }
    }
}
