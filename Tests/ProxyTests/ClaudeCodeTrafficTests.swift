import AsyncHTTPClient
import Foundation
import Logging
import LogPipeline
import Testing
import Yams
import VDMProxy
import MockUpstream

/// What Claude Code sends through vdm in front of an OpenAI-format provider (the real mock upstream):
/// its model names resolved by aliases, every view keyed by the resolved model, `/v1/models`, and its
/// side traffic answered quietly.
@Suite struct ClaudeCodeTrafficTests {
    static let aliases = ["OPENAI_ALIAS_SONNET": "gpt-5", "OPENAI_ALIAS_HAIKU": "gpt-5-mini", "OPENAI_ALIAS_OPUS": "gpt-5-pro"]
    /// Claude Code's names, and what the aliases above must make of them.
    static let expected = [
        ("claude-sonnet-4-5-20250929", "gpt-5", "OPENAI_ALIAS_SONNET"),
        ("claude-haiku-4-5", "gpt-5-mini", "OPENAI_ALIAS_HAIKU"),
        ("claude-opus-4-1", "gpt-5-pro", "OPENAI_ALIAS_OPUS"),
    ]
    static let claudeHeaders = [("anthropic-version", "2023-06-01"), ("anthropic-beta", "claude-code-20250219"), ("user-agent", "claude-cli/2.0.36 (external, cli)")]

    /// The models the mock itself was asked for, in its own record.
    static func upstreamModels(_ mock: MockUpstreamHandle) throws -> [String] {
        try mock.state.recordedRequests().filter { $0.path.hasSuffix("/chat/completions") }.map { entry in
            try #require(JSONValue.parse(Array(entry.body.utf8))["model"]?.string)
        }
    }

    @Test func aliasesResolveClaudeCodeNamesAndEveryViewKeysByTheResolvedModel() async throws {
        try await E2E.run(env: Self.aliases, level: .debug) { e2e in
            var ids: [String: String] = [:]  // vdm's request id → requested model
            for (requested, _, _) in Self.expected {
                for stream in [false, true] {
                    let reply = try await e2e.post("/v1/messages?beta=true", body: anthropicBody(model: requested, stream: stream), headers: Self.claudeHeaders)
                    #expect(reply.status == 200, "\(requested) \(stream): \(reply.text)")
                    ids[try #require(reply.headers.first(name: "x-request-id"))] = requested
                }
            }
            let records = try await e2e.completed(count: 6)
            #expect(records.count == 6)

            // The mock's own record: it was asked for the targets, never for a Claude name.
            #expect(try Self.upstreamModels(e2e.mock).sorted() == ["gpt-5", "gpt-5", "gpt-5-mini", "gpt-5-mini", "gpt-5-pro", "gpt-5-pro"])

            // Records carry both names; one DEBUG MODEL line per request, with its correlation id.
            for (requested, resolved, variable) in Self.expected {
                let mine = records.filter { $0.requestedModel == requested }
                #expect(mine.count == 2, "\(requested)")
                #expect(mine.allSatisfy { $0.resolvedModel == resolved && $0.provider == "openai" && !$0.isError }, "\(mine)")
                for record in mine {
                    let lines = e2e.records(for: record.requestID).filter { $0.message.hasPrefix("MODEL | ") }
                    #expect(lines.map(\.message) == ["MODEL | Requested: \(requested) | Resolved: openai:\(resolved) | Alias: \(variable)"])
                    #expect(lines.first?.level == .debug)
                }
            }
            #expect(Set(records.map(\.requestID)) == Set(ids.keys))

            // Running totals: buckets by provider + resolved model only.
            let live = try await e2e.get("/metrics/running-totals?include_active=false")
            let yaml = try #require(try Yams.load(yaml: live.text) as? [String: Any])
            let openai = try #require((yaml["providers"] as? [String: Any])?["openai"] as? [String: Any])
            let models = try #require(openai["models"] as? [String: Any])
            #expect(Set(models.keys) == ["gpt-5", "gpt-5-mini", "gpt-5-pro"])
            for name in ["gpt-5", "gpt-5-mini", "gpt-5-pro"] {
                let total = (models[name] as? [String: Any])?["total"] as? [String: Any]
                #expect(total?["requests"] as? Int == 2, "\(name)")
            }
            #expect(!live.text.contains("claude-"))

            // Prometheus: the same labels.
            let metrics = try await e2e.get("/metrics").text
            for name in ["gpt-5", "gpt-5-mini", "gpt-5-pro"] {
                for streaming in ["false", "true"] {
                    #expect(metrics.contains(#"vdm_requests_total{provider="openai",model="\#(name)",streaming="\#(streaming)"} 1"#), "\(name) \(streaming)")
                }
            }
            #expect(!metrics.contains("claude-"))

            // Replay of the log rebuilds the same totals.
            e2e.proxy.server.logs.flush()
            let replayed = try await Replay.totalsDocument(paths: [e2e.jsonPath], format: .yaml)
            #expect(TotalsFormat.yaml.comparable(replayed) == TotalsFormat.yaml.comparable(live.text))
        }
    }

    @Test func activeRequestRowsCarryTheRequestedAndTheResolvedModel() async throws {
        try await E2E.run(env: Self.aliases) { e2e in
            async let slow = e2e.post(body: anthropicBody(model: "claude-haiku-4-5", text: "slow one mock:latency=1500"))
            let deadline = ContinuousClock.now + .seconds(10)
            var row: JSONValue?
            while ContinuousClock.now < deadline, row == nil {
                let active = try await e2e.get("/metrics/active-requests").json()
                row = active["active_requests"]?.array?.first
                if row == nil { try await Task.sleep(for: .milliseconds(20)) }
            }
            let found = try #require(row)
            #expect(found["requested_model"]?.string == "claude-haiku-4-5")
            #expect(found["resolved_model"]?.string == "gpt-5-mini")
            #expect(found["provider"]?.string == "openai")
            #expect(try await slow.status == 200)
        }
    }

    @Test func modelListFollowsTheAnthropicVersionHeader() async throws {
        try await E2E.run(env: ["OPENAI_ALIAS_SONNET": "gpt-5", "OPENAI_ALIAS_HAIKU": "gpt-5-mini"]) { e2e in
            let anthropic = try await e2e.get("/v1/models", headers: [("anthropic-version", "2023-06-01")])
            #expect(anthropic.status == 200)
            #expect(anthropic.text == #"{"data":[{"type":"model","id":"haiku","display_name":"haiku → openai:gpt-5-mini","created_at":"1970-01-01T00:00:00Z"},{"type":"model","id":"sonnet","display_name":"sonnet → openai:gpt-5","created_at":"1970-01-01T00:00:00Z"},{"type":"model","id":"openai:gpt-5","display_name":"gpt-5","created_at":"1970-01-01T00:00:00Z"},{"type":"model","id":"openai:gpt-5-mini","display_name":"gpt-5-mini","created_at":"1970-01-01T00:00:00Z"}],"has_more":false,"first_id":"haiku","last_id":"openai:gpt-5-mini"}"#)
            let openAI = try await e2e.get("/v1/models")
            #expect(openAI.text == #"{"object":"list","data":[{"id":"haiku","object":"model","created":0,"owned_by":"openai"},{"id":"sonnet","object":"model","created":0,"owned_by":"openai"},{"id":"openai:gpt-5","object":"model","created":0,"owned_by":"openai"},{"id":"openai:gpt-5-mini","object":"model","created":0,"owned_by":"openai"}]}"#)
            #expect(try await e2e.get("/v1/models?format=openai", headers: [("anthropic-version", "2023-06-01")]).text == openAI.text)
            #expect(try await e2e.get("/v1/models?format=anthropic").text == anthropic.text)
            #expect(try await e2e.get("/v1/models?format=xml").status == 400)
            #expect(e2e.mock.state.snapshot().requests == 0)
        }
    }

    @Test func startupSideTrafficIsAnsweredQuietlyAndCountedApart() async throws {
        let key = "vdm-proxy-key-0123456789abcdef"
        try await E2E.run(env: Self.aliases.merging(["PROXY_API_KEY": key]) { $1 }, level: .debug) { e2e in
            let auth = [("x-api-key", key)] + Self.claudeHeaders
            var head = HTTPClientRequest(url: e2e.proxy.baseURL + "/")
            head.method = .HEAD
            #expect(try await HTTPClient.shared.execute(head, timeout: .seconds(10)).status == .ok)
            #expect(try await e2e.get("/").status == 200)
            #expect(try await e2e.get("/v1/models", headers: auth).status == 200)
            let count = try await e2e.post("/v1/messages/count_tokens?beta=true", body: anthropicBody(model: "claude-haiku-4-5"), headers: auth)
            #expect(count.status == 200, "\(count.text)")
            // Telemetry, without the proxy key (vdm serves nothing there to protect).
            for _ in 0..<3 {
                let batch = try await e2e.post("/api/event_logging/batch", body: Array(#"{"events":[{"event_type":"ClaudeCodeInternalEvent"}]}"#.utf8))
                #expect(batch.status == 200)
                #expect(batch.text == "{}")
            }
            #expect(try await e2e.post("/api/claude_code/metrics", body: Array("{}".utf8)).status == 200)

            // No upstream call, no model request, one DEBUG line each, its own counter.
            #expect(e2e.mock.state.snapshot().requests == 0)
            #expect(await e2e.proxy.tracker.completedCount == 0)
            let telemetryLines = e2e.memory.all.filter { $0.message.hasPrefix("CLIENT_TELEMETRY | ") }
            #expect(telemetryLines.count == 4)
            #expect(telemetryLines.allSatisfy { $0.level == .debug })
            #expect(telemetryLines.filter { $0.message.hasPrefix("CLIENT_TELEMETRY | POST /api/event_logging/batch | Bytes: 53 |") }.count == 3)
            let metrics = try await e2e.get("/metrics", headers: [("x-api-key", key)]).text
            #expect(metrics.contains("\nvdm_client_telemetry_requests_total 4\n"))
            #expect(metrics.contains("vdm_requests_total") == false)
            let totals = try await e2e.get("/metrics/running-totals?include_active=false", headers: [("x-api-key", key)]).text
            #expect(totals.contains("  total_requests: 0\n"))
            // Nothing at WARNING or above during the whole start-up sequence.
            let loud = e2e.memory.all.filter { $0.level >= .warning }
            #expect(loud.isEmpty, "\(loud.map(\.message))")
        }
    }
}
