import Foundation
import Testing
import VDMProxy
import MockUpstream
import VDMBench
import VDMDemo

/// The official clients as the oracle for "a real client accepts it": the Anthropic Python SDK (the
/// pinned PyPI package in the tools virtualenv) drives a real vdm on loopback — non-streaming,
/// streaming with the SDK's stream helpers and final-message accumulation, tools, thinking passthrough
/// and count_tokens — and the OpenAI Python SDK's types validate the request bodies vdm sent upstream
/// (as the mock recorded them). Scripts: Tests/Python/.
@Suite struct OfficialSDKTests {
    static let client = Repository.url("Tests/Python/anthropic_sdk_client.py").path
    static let requestCheck = Repository.url("Tests/Python/openai_request_check.py").path

    /// Runs one scenario of the Anthropic SDK script; what it printed, as a JSON object.
    static func sdk(_ scenario: String, model: String, base: String) async throws -> [String: Any] {
        let python = try ExternalTool.venvPython()
        let run = try await ExternalTool.run(python, [client, base, scenario, model])
        guard run.status == 0 else { throw TestFailure("\(scenario): the SDK script exited \(run.status): \(run.stderr.suffix(3_000))") }
        return try JSONTestValue.object(run.stdout)
    }

    static func usage(_ out: [String: Any]) -> [String: Int] {
        (out["usage"] as? [String: Any] ?? [:]).compactMapValues { $0 as? Int }
    }

    static func blocks(_ out: [String: Any]) -> [[String: Any]] { out["content"] as? [[String: Any]] ?? [] }

    /// The mock's own report of the last API request: the SDK's usage must equal it.
    static func lastLedger(_ e2e: E2E) throws -> MockLedgerEntry {
        try #require(e2e.mock.state.ledger.entries().last)
    }

    static func expectUsage(_ out: [String: Any], equals entry: MockLedgerEntry, _ what: String) {
        let u = usage(out)
        #expect(u["input_tokens"] == entry.usage.input, "\(what): \(u) vs ledger \(entry.usage)")
        #expect(u["output_tokens"] == entry.usage.output, "\(what): \(u) vs ledger \(entry.usage)")
        #expect(u["cache_read_input_tokens"] ?? 0 == entry.usage.cacheRead, "\(what): \(u) vs ledger \(entry.usage)")
    }

    @Test(arguments: ["openai:gpt-sdk", "anthropic:claude-sdk"])
    func createStreamAndToolsThroughTheAnthropicSDK(model: String) async throws {
        try await E2E.run { e2e in
            let base = e2e.proxy.baseURL

            let created = try await Self.sdk("create", model: model, base: base)
            #expect(created["is_message"] as? Bool == true, "\(created)")
            #expect(created["role"] as? String == "assistant")
            #expect(created["stop_reason"] as? String == "end_turn")
            let text = try #require(Self.blocks(created).first { $0["type"] as? String == "text" }?["text"] as? String, "\(created)")
            #expect(!text.isEmpty)
            Self.expectUsage(created, equals: try Self.lastLedger(e2e), "\(model) create")

            let streamed = try await Self.sdk("stream", model: model, base: base)
            #expect(streamed["is_message"] as? Bool == true, "the accumulated final message is an SDK Message: \(streamed)")
            #expect(streamed["stop_reason"] as? String == "end_turn")
            let finalText = Self.blocks(streamed).compactMap { $0["text"] as? String }.joined()
            #expect(!finalText.isEmpty)
            #expect(streamed["text_stream"] as? String == finalText, "the SDK's text_stream and its accumulated final message agree")
            let streamEntry = try Self.lastLedger(e2e)
            #expect(streamEntry.stream && streamEntry.outcome == .completed)
            Self.expectUsage(streamed, equals: streamEntry, "\(model) stream")

            let tools = try await Self.sdk("tools", model: model, base: base)
            #expect(tools["stop_reason"] as? String == "tool_use", "\(tools)")
            let calls = Self.blocks(tools).filter { $0["type"] as? String == "tool_use" }
            #expect(calls.count == 1, "\(tools)")
            #expect(calls.first?["name"] as? String == "get_weather")
            #expect((calls.first?["input"] as? [String: Any])?["query"] is String, "the SDK parsed the mock's tool input {\"query\": …}: \(tools)")

            let streamTools = try await Self.sdk("stream_tools", model: model, base: base)
            let streamCalls = Self.blocks(streamTools).filter { $0["type"] as? String == "tool_use" }
            #expect(streamCalls.count == 2, "\(streamTools)")
            #expect(streamCalls.allSatisfy { ($0["input"] as? [String: Any])?["query"] is String }, "accumulated input_json_delta: \(streamTools)")
            #expect(Set(streamCalls.compactMap { $0["id"] as? String }).count == 2)

            let limited = try await Self.sdk("rate_limited", model: model, base: base)
            #expect(limited["error"] as? String == "RateLimitError", "\(limited)")
            #expect(limited["status"] as? Int == 429)
            #expect(limited["error_type"] as? String == "rate_limit_error")

            let counted = try await Self.sdk("count_tokens", model: model, base: base)
            #expect(counted["sdk_type"] as? String == "MessageTokensCount", "\(counted)")
            let count = try #require(counted["input_tokens"] as? Int, "\(counted)")
            if model.hasPrefix("anthropic:") {
                // Forwarded: the count is the upstream's own answer.
                let entry = try Self.lastLedger(e2e)
                #expect(entry.path.hasSuffix("/count_tokens"))
                #expect(count == entry.usage.input)
            } else {
                #expect(count > 0)
            }

            // Upstream side: every Chat Completions body vdm sent is one the OpenAI SDK's types accept.
            let bodies = e2e.mock.state.recordedRequests().filter { $0.path.hasSuffix("/chat/completions") }.map(\.body)
            #expect(model.hasPrefix("anthropic:") || bodies.count >= 5, "\(bodies.count) OpenAI requests recorded")
            if !bodies.isEmpty {
                let python = try ExternalTool.venvPython()
                let check = try await ExternalTool.run(python, [Self.requestCheck], input: Array(("[" + bodies.joined(separator: ",") + "]").utf8))
                #expect(check.status == 0, "\(check.stderr.suffix(3_000))")
                let report = try JSONTestValue.object(check.stdout)
                #expect(report["checked"] as? Int == bodies.count)
                #expect((report["problems"] as? [Any])?.isEmpty == true, "\(check.stdout)")
            }
        }
    }

    /// Thinking blocks from an Anthropic-format upstream pass through: the SDK accumulates the thinking
    /// text and its signature exactly as the upstream (a hand-written stream) sent them.
    @Test func thinkingPassesThroughToTheSDK() async throws {
        let events = [
            #"event: message_start\#ndata: {"type":"message_start","message":{"id":"msg_think_1","type":"message","role":"assistant","model":"claude-think","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":12,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}}"#,
            #"event: content_block_start\#ndata: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}"#,
            #"event: content_block_delta\#ndata: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Let me "}}"#,
            #"event: content_block_delta\#ndata: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"think."}}"#,
            #"event: content_block_delta\#ndata: {"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"c2lnLWFiYw=="}}"#,
            #"event: content_block_stop\#ndata: {"type":"content_block_stop","index":0}"#,
            #"event: content_block_start\#ndata: {"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}"#,
            #"event: content_block_delta\#ndata: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Hi!"}}"#,
            #"event: content_block_stop\#ndata: {"type":"content_block_stop","index":1}"#,
            #"event: message_delta\#ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":9}}"#,
            #"event: message_stop\#ndata: {"type":"message_stop"}"#,
        ]
        let script = UpstreamScript(chunks: events.map { Array(($0 + "\n\n").utf8) })
        try await ScriptedUpstream.with(["claude-think": script]) { upstream in
            try await E2E.run(env: ["ANTHROPIC_BASE_URL": upstream]) { e2e in
                let out = try await Self.sdk("thinking", model: "anthropic:claude-think", base: e2e.proxy.baseURL)
                #expect(out["is_message"] as? Bool == true, "\(out)")
                #expect(out["id"] as? String == "msg_think_1")
                let content = Self.blocks(out)
                #expect(content.count == 2, "\(out)")
                #expect(content.first?["type"] as? String == "thinking")
                #expect(content.first?["thinking"] as? String == "Let me think.")
                #expect(content.first?["signature"] as? String == "c2lnLWFiYw==")
                #expect(content.last?["type"] as? String == "text")
                #expect(content.last?["text"] as? String == "Hi!")
                #expect(Self.usage(out)["input_tokens"] == 12)
                #expect(Self.usage(out)["output_tokens"] == 9)
                #expect((out["event_types"] as? [String])?.contains("thinking") == true, "the SDK saw thinking events: \(out)")
            }
        }
    }
}
