import AsyncHTTPClient
import Foundation
import Logging
import LogPipeline
import NIOCore
import Testing
import VDMProxy
import VDMDemo

@Suite(.serialized) struct ProxyEndToEndTests {
    @Test func openAINonStreamingWithSystemPromptForwarded() async throws {
        try await E2E.run { e2e in
            let reply = try await e2e.post(body: anthropicBody(text: "Hi mock:cache=4", extra: #","system":[{"type":"text","text":"Be terse."}],"temperature":0.2"#))
            #expect(reply.status == 200)
            let json = try reply.json()
            #expect(json["type"]?.string == "message")
            #expect(json["model"]?.string == "openai:gpt-4o")
            #expect(json["content"]?[0]?["type"]?.string == "text")
            let upstream = try JSONValue.parse(e2e.lastUpstreamBody)
            #expect(upstream["messages"]?[0]?["role"]?.string == "system")
            #expect(upstream["messages"]?[0]?["content"]?.string == "Be terse.")
            #expect(upstream["model"]?.string == "gpt-4o")
            #expect(upstream["temperature"] != nil)
            #expect(upstream["top_p"] == nil)
            let usage = try #require(json["usage"])
            #expect(usage["cache_read_input_tokens"]?.int == 4)
            let stats = e2e.mock.state.snapshot()
            #expect(usage["input_tokens"]?.int == stats.inputTokens)
            #expect(usage["output_tokens"]?.int == stats.outputTokens)
            let done = try await e2e.completed(count: 1)
            #expect(done.count == 1)
            #expect(done.first?.inputTokens == stats.inputTokens)
            #expect(done.first?.cacheReadTokens == 4)
            #expect(done.first?.errorType == nil)
            #expect(reply.headers.first(name: "x-vdm-overhead-ms") != nil)
        }
    }

    @Test func openAIStreamingKeepsTheTrailingUsage() async throws {
        try await E2E.run { e2e in
            let reply = try await e2e.post(body: anthropicBody(text: "Stream to me", stream: true))
            #expect(reply.status == 200)
            let events = try reply.events()
            let names = events.map(\.0).filter { $0 != "ping" }
            #expect(names.first == "message_start")
            #expect(names.suffix(2) == ["message_delta", "message_stop"])
            let delta = try #require(events.first { $0.0 == "message_delta" }?.1)
            let stats = e2e.mock.state.snapshot()
            #expect(stats.outputTokens > 0)
            #expect(delta["usage"]?["output_tokens"]?.int == stats.outputTokens)
            #expect(delta["usage"]?["input_tokens"]?.int == stats.inputTokens)
            let upstream = try JSONValue.parse(e2e.lastUpstreamBody)
            #expect(upstream["stream_options"]?["include_usage"]?.bool == true)
            let done = try await e2e.completed(count: 1)
            #expect(done.first?.outputTokens == stats.outputTokens)
            #expect(done.first?.isStreaming == true)
            #expect((done.first?.firstTokenNanos ?? 0) > 0)
        }
    }

    @Test(arguments: [false, true])
    func toolCallsBothFormats(stream: Bool) async throws {
        try await E2E.run { e2e in
            for model in ["openai:gpt-4o", "anthropic:claude-sonnet-4"] {
                let reply = try await e2e.post(body: anthropicBody(model: model, text: "Weather? mock:tool", stream: stream, extra: #","tools":\#(DemoWorkload.tools)"#))
                #expect(reply.status == 200, "\(model)")
                if stream {
                    let events = try reply.events()
                    let start = events.first { $0.0 == "content_block_start" && $0.1["content_block"]?["type"]?.string == "tool_use" }
                    #expect(start != nil, "\(model)")
                    let fragments = events.filter { $0.0 == "content_block_delta" && $0.1["delta"]?["type"]?.string == "input_json_delta" }
                        .compactMap { $0.1["delta"]?["partial_json"]?.string }.joined()
                    #expect((try? JSONValue.parse(Array(fragments.utf8))) != nil, "\(model): \(fragments)")
                } else {
                    let json = try reply.json()
                    #expect(json["stop_reason"]?.string == "tool_use", "\(model)")
                    #expect(json["content"]?.array?.contains { $0["type"]?.string == "tool_use" } == true, "\(model)")
                }
            }
            let done = try await e2e.completed(count: 2)
            #expect(done.map(\.toolCalls) == [1, 1])
        }
    }

    @Test func imagesAreConverted() async throws {
        try await E2E.run { e2e in
            let content = #"[{"type":"text","text":"What is this?"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},{"type":"image","source":{"type":"url","url":"https://example.com/cat.png"}}]"#
            let body = Array(#"{"model":"openai:gpt-4o","max_tokens":64,"messages":[{"role":"user","content":\#(content)}]}"#.utf8)
            let reply = try await e2e.post(body: body)
            #expect(reply.status == 200)
            let upstream = try JSONValue.parse(e2e.lastUpstreamBody)
            let parts = upstream["messages"]?[0]?["content"]?.array ?? []
            let urls = parts.compactMap { $0["image_url"]?["url"]?.string }
            #expect(urls == ["data:image/png;base64,iVBORw0KGgo=", "https://example.com/cat.png"])
        }
    }

    @Test func anthropicPassthroughIsByteFaithfulExceptTheModel() async throws {
        try await E2E.run { e2e in
            let original = #"{"model":"anthropic:claude-sonnet-4" ,"max_tokens":64,"system":[{"type":"text","text":"sys","cache_control":{"type":"ephemeral"}}],"thinking":{"type":"enabled","budget_tokens":1024},"unknown_field":{"x":[1,2.50,"\u00e9"]},"messages":[{"role":"user","content":"hi"}]}"#
            let reply = try await e2e.post(body: Array(original.utf8), headers: [("anthropic-version", "2023-06-01"), ("anthropic-beta", "prompt-caching-2024-07-31")])
            #expect(reply.status == 200)
            let expected = original.replacingOccurrences(of: "\"anthropic:claude-sonnet-4\"", with: "\"claude-sonnet-4\"")
            #expect(e2e.lastUpstreamBody == Array(expected.utf8))
            let recorded = try #require(e2e.mock.state.recordedRequests().last)
            #expect(recorded.headers["anthropic-beta"] == "prompt-caching-2024-07-31")
            #expect(recorded.headers["anthropic-version"] == "2023-06-01")
            #expect(recorded.headers["x-api-key"]?.contains("6789") == true)
        }
    }

    @Test func anthropicStreamIsRelayedEventForEvent() async throws {
        try await E2E.run { e2e in
            let reply = try await e2e.post(body: anthropicBody(model: "anthropic:claude-sonnet-4", text: "Relay mock:cache=3", stream: true))
            #expect(reply.status == 200)
            let names = try reply.events().map(\.0)
            #expect(names.first == "message_start")
            #expect(names.last == "message_stop")
            let stats = e2e.mock.state.snapshot()
            let done = try await e2e.completed(count: 1)
            #expect(done.first?.inputTokens == stats.inputTokens)
            #expect(done.first?.outputTokens == stats.outputTokens)
            #expect(done.first?.cacheReadTokens == 3)
            #expect(done.first?.errorType == nil)
        }
    }

    @Test func correlationIDOnEveryRecordAndHeader() async throws {
        try await E2E.run(level: .debug) { e2e in
            let reply = try await e2e.post(body: anthropicBody(stream: true), headers: [("x-request-id", "client-chosen-id.42")])
            // The id is always vdm's own; the client's is kept beside it.
            let id = try #require(reply.headers.first(name: "x-request-id"))
            #expect(UUID(uuidString: id) != nil)
            #expect(id != "client-chosen-id.42")
            let done = try await e2e.completed(count: 1)
            #expect(done.first?.requestID == id)
            #expect(done.first?.clientRequestID == "client-chosen-id.42")
            let mine = e2e.records(for: id)
            #expect(mine.contains { $0.payload?.action == "request.started" })
            #expect(mine.contains { $0.payload?.action == "request.completed" })
            #expect(mine.contains { $0.logger.hasPrefix("AsyncHTTPClient") }, "library lines inside the request carry its id")
            e2e.proxy.server.logs.flush()
            let file = try String(contentsOfFile: e2e.jsonPath, encoding: .utf8)
            #expect(file.contains(#""vdm.client_request_id":"client-chosen-id.42""#))
            let bad = try await e2e.post(body: anthropicBody(), headers: [("x-request-id", "bad id with spaces")])
            let generated = try #require(bad.headers.first(name: "x-request-id"))
            #expect(UUID(uuidString: generated) != nil)
            let second = try await e2e.completed(count: 2)
            #expect(second.first { $0.requestID == generated }?.clientRequestID == nil, "an insane client id is not kept")
        }
    }

    @Test func secretsNeverReachTheLogs() async throws {
        try await E2E.run(level: .debug) { e2e in
            _ = try await e2e.post(body: anthropicBody(text: "my key is sk-proj-abcdefghijklmnopqrstuvwxyz123456"))
            _ = try await e2e.post(body: anthropicBody(model: "anthropic:claude-sonnet-4"))
            _ = try await e2e.completed(count: 2)
            e2e.proxy.server.logs.flush()
            let file = try String(contentsOfFile: e2e.jsonPath, encoding: .utf8)
            #expect(!file.isEmpty)
            #expect(!file.contains(E2E.openAIKey))
            #expect(!file.contains(E2E.anthropicKey))
            let health = try await e2e.get("/health")
            #expect(health.status == 200)
            #expect(!health.text.contains(E2E.openAIKey))
            #expect(health.text.contains("sha256:" + SecretHash.short(E2E.openAIKey)))
        }
    }

    @Test func countTokensNeverRunsACompletion() async throws {
        try await E2E.run { e2e in
            let estimate = try await e2e.post("/v1/messages/count_tokens", body: anthropicBody(text: String(repeating: "word ", count: 40)))
            #expect(estimate.status == 200)
            #expect((try estimate.json()["input_tokens"]?.int ?? 0) >= 40)
            let forwarded = try await e2e.post("/v1/messages/count_tokens", body: anthropicBody(model: "anthropic:claude-sonnet-4"))
            #expect(forwarded.status == 200)
            #expect(try forwarded.json()["input_tokens"]?.int != nil)
            let stats = e2e.mock.state.snapshot()
            #expect(stats.completedReplies == 0)
            #expect(e2e.completedRecords().isEmpty)
        }
    }

    @Test func proxyAPIKeyIsRequiredWhenSet() async throws {
        try await E2E.run(env: ["PROXY_API_KEY": "proxy-secret-123"]) { e2e in
            let missing = try await e2e.post(body: anthropicBody())
            #expect(missing.status == 401)
            #expect(try missing.json()["error"]?["type"]?.string == "authentication_error")
            let header = try await e2e.post(body: anthropicBody(), headers: [("x-api-key", "proxy-secret-123")])
            #expect(header.status == 200)
            let bearer = try await e2e.post(body: anthropicBody(), headers: [("authorization", "Bearer proxy-secret-123")])
            #expect(bearer.status == 200)
            let wrong = try await e2e.post(body: anthropicBody(), headers: [("x-api-key", "proxy-secret-124")])
            #expect(wrong.status == 401)
            #expect((try await e2e.get("/health")).status == 200)
        }
    }

    @Test func passthroughForwardsTheClientsKey() async throws {
        try await E2E.run(env: ["OPENAI_API_KEY": "!PASSTHRU"]) { e2e in
            let none = try await e2e.post(body: anthropicBody())
            #expect(none.status == 401)
            let ok = try await e2e.post(body: anthropicBody(), headers: [("x-api-key", "sk-client-own-key-0000000000001234")])
            #expect(ok.status == 200)
            let recorded = try #require(e2e.mock.state.recordedRequests().last)
            #expect(recorded.headers["authorization"]?.contains("1234") == true)
        }
    }
}
