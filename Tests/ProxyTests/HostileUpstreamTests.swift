import Foundation
import LogPipeline
import Testing
import VDMProxy

/// The stream corpora through the real proxy, served by a real scripted upstream on loopback with seeded
/// random chunking: the client sees the hand-written view, and the completed record carries the usage,
/// tool calls and error type that view implies.
@Suite(.serialized) struct HostileUpstreamTests {
    /// The real proxy with both providers pointed at a scripted upstream serving `scripts`.
    static func scripted(_ scripts: [String: UpstreamScript], _ body: @Sendable @escaping (E2E) async throws -> Void) async throws {
        try await ScriptedUpstream.with(scripts) { base in
            try await E2E.run(env: ["OPENAI_BASE_URL": base + "/v1", "ANTHROPIC_BASE_URL": base], body)
        }
    }

    /// `streams` as the scripts "case-0", "case-1", …, each cut at seeded random positions (seed printed).
    static func chunkedScripts(_ streams: [[UInt8]], label: String) -> (scripts: [String: UpstreamScript], seed: UInt64) {
        let seed = TestSeed.announced(label)
        var rng = SplitMix64(state: seed)
        var scripts: [String: UpstreamScript] = [:]
        for (n, bytes) in streams.enumerated() {
            scripts["case-\(n)"] = UpstreamScript(bytes: bytes, cuts: rng.cuts(count: bytes.count, maxCuts: 12))
        }
        return (scripts, seed)
    }

    @Test func openAIStreamsThroughTheProxyGiveTheOracleView() async throws {
        let (scripts, seed) = Self.chunkedScripts(StreamCorpus.cases.map(\.bytes), label: "openAIStreamsThroughTheProxy")
        try await Self.scripted(scripts) { e2e in
            for (n, c) in StreamCorpus.cases.enumerated() {
                let reply = try await e2e.post(body: anthropicBody(model: "openai:case-\(n)", stream: true))
                #expect(reply.status == 200, "\(c.name)")
                let expected = c.expected
                #expect(try ClientView.of(reply.body) == expected, "\(c.name) (seed \(seed)): \(reply.text)")
                let records = try await e2e.completed(count: n + 1)
                let record = records.last
                #expect(records.count == n + 1)
                #expect(record?.toolCalls == c.toolCalls, "\(c.name)")
                #expect(record?.errorType == (expected.errorType == nil ? nil : "stream_error"), "\(c.name)")
                if let usage = expected.usage {
                    #expect(record?.inputTokens == usage["input_tokens"]?.int, "\(c.name)")
                    #expect(record?.outputTokens == usage["output_tokens"]?.int, "\(c.name)")
                    #expect(record?.cacheReadTokens == usage["cache_read_input_tokens"]?.int, "\(c.name)")
                }
            }
        }
    }

    @Test func anthropicStreamsAreRelayedByteForByteUpToTheFirstBadEvent() async throws {
        let (scripts, seed) = Self.chunkedScripts(AnthropicStreamCorpus.cases.map(\.bytes), label: "anthropicStreamsThroughTheProxy")
        try await Self.scripted(scripts) { e2e in
            for (n, c) in AnthropicStreamCorpus.cases.enumerated() {
                let reply = try await e2e.post(body: anthropicBody(model: "anthropic:case-\(n)", stream: true))
                #expect(reply.status == 200, "\(c.name)")
                #expect(Array(reply.body.prefix(c.relayed)) == Array(c.bytes.prefix(c.relayed)), "\(c.name) (seed \(seed))")
                let rest = Array(reply.body.dropFirst(c.relayed))
                let record = try await e2e.completed(count: n + 1).last
                if let problem = c.problem {
                    var parser = SSEParser()
                    let events = try parser.feed(rest) + parser.finish()
                    #expect(events.count == 1 && events.first?.event == "error", "\(c.name): \(String(decoding: rest, as: UTF8.self))")
                    let payload = try JSONValue.parse((events.first?.data ?? "").utf8)
                    #expect(payload["error"]?["type"] == "api_error")
                    #expect(payload["error"]?["message"]?.string?.contains(problem) == true, "\(c.name): \(payload.compactText)")
                    #expect(record?.errorType == "stream_error", "\(c.name)")
                    #expect(record?.error?.contains(problem) == true, "\(c.name): \(record?.error ?? "")")
                } else {
                    #expect(rest.isEmpty, "\(c.name): \(String(decoding: rest, as: UTF8.self))")
                    #expect(record?.errorType == nil, "\(c.name)")
                    #expect(record?.inputTokens == 25 && record?.outputTokens == 42 && record?.cacheReadTokens == 7 && record?.cacheCreationTokens == 3)
                    #expect(record?.toolCalls == 1)
                    #expect(record?.stopReason == "tool_use")
                }
            }
        }
    }

    @Test func anthropicBodiesThatAreErrorsOrNotMessagesAreUpstreamErrors() async throws {
        let json = "application/json"
        let scripts: [String: UpstreamScript] = [
            "error-overloaded": UpstreamScript(contentType: json, bytes: Array(#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#.utf8), cuts: [9]),
            "error-api": UpstreamScript(contentType: json, bytes: Array(#"{"type":"error","error":{"type":"api_error","message":"Internal server error"}}"#.utf8), cuts: []),
            "not-a-message": UpstreamScript(contentType: json, bytes: Array(#"{"id":"msg_1","content":"hi"}"#.utf8), cuts: []),
            "ok": UpstreamScript(contentType: json, bytes: Array(#"{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[{"type":"text","text":"hi"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":4,"output_tokens":2}}"#.utf8), cuts: [3, 40]),
        ]
        let expectations: [(model: String, status: Int, clientType: String?, errorType: String?)] = [
            ("error-overloaded", 529, "overloaded_error", "upstream_overloaded"),
            ("error-api", 500, "api_error", "upstream_5xx"),
            ("not-a-message", 502, "api_error", "upstream_bad_response"),
            ("ok", 200, nil, nil),
        ]
        try await Self.scripted(scripts) { e2e in
            for (n, e) in expectations.enumerated() {
                let reply = try await e2e.post(body: anthropicBody(model: "anthropic:\(e.model)"))
                #expect(reply.status == e.status, "\(e.model): \(reply.text)")
                if let type = e.clientType {
                    #expect(try reply.json()["error"]?["type"]?.string == type, "\(e.model)")
                } else {
                    #expect(reply.body == scripts[e.model]?.chunks.flatMap { $0 })
                }
                let record = try await e2e.completed(count: n + 1).last
                #expect(record?.errorType == e.errorType, "\(e.model)")
            }
        }
    }
}
