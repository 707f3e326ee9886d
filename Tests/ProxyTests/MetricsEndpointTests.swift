import Foundation
import LogPipeline
import Testing
import Yams
import VDMProxy

/// `/metrics/running-totals`, `/metrics/active-requests`, `/metrics/logs`, auth and the disabled
/// mode, over real HTTP on loopback.
@Suite struct MetricsEndpointTests {
    static func yaml(_ text: String) throws -> [String: Any] {
        try #require(try Yams.load(yaml: text) as? [String: Any])
    }

    static func section(_ doc: [String: Any], _ path: String...) -> [String: Any]? {
        var current: Any? = doc
        for key in path { current = (current as? [String: Any])?[key] }
        return current as? [String: Any]
    }

    @Test func runningTotalsYAMLAgreesWithTheTrackerAndCountsInFlightRequestsOnce() async throws {
        try await MetricsTestServer.with { proxy in
            let tracker = proxy.tracker
            for (i, provider) in ["openai", "openai", "anthropic"].enumerated() {
                let m = workload("done-\(i)", provider: provider, model: provider == "openai" ? "gpt-4o" : "claude-3-5", input: 100 + i, output: 10, durationMillis: 200)
                await tracker.start(m)
                await tracker.end(m)
            }
            await tracker.start(workload("live", provider: "openai", model: "gpt-4o-mini", streaming: true, input: 7, output: 3))

            let response = try await proxy.get("/metrics/running-totals")
            #expect(response.status == 200)
            #expect(response.headers["content-type"] == "text/yaml; charset=utf-8")
            #expect(response.headers["cache-control"] == "no-cache")
            let disposition = try #require(response.headers["content-disposition"])
            #expect(disposition.wholeMatch(of: /inline; filename=running-totals-\d{8}-\d{6}\.yaml/) != nil)
            let doc = try Self.yaml(response.body)
            let summary = try #require(Self.section(doc, "summary"))
            #expect(summary["total_requests"] as? Int == 4)  // 3 completed + 1 in flight, once
            #expect(summary["active_requests"] as? Int == 1)
            #expect(summary["total_input_tokens"] as? Int == 100 + 101 + 102 + 7)
            #expect(summary["average_duration_ms"] as? Int == 200)  // in-flight requests add no duration
            let live = try #require(Self.section(doc, "providers", "openai", "models", "gpt-4o-mini", "streaming"))
            #expect(live["requests"] as? Int == 1)

            let completedOnly = try Self.yaml(try await proxy.get("/metrics/running-totals?include_active=false").body)
            let expected = await tracker.runningTotals(includeActive: false)
            #expect(Self.section(completedOnly, "summary")?["total_requests"] as? Int == expected.summary.requests)
            #expect(Self.section(completedOnly, "summary")?["total_requests"] as? Int == 3)
            #expect(Self.section(completedOnly, "providers", "openai", "models", "gpt-4o-mini") == nil)
        }
    }

    @Test func filtersAreCaseInsensitiveWildcards() async throws {
        try await MetricsTestServer.with { proxy in
            for (i, (provider, model)) in [("openai", "gpt-4o"), ("openai", "gpt-4o-mini"), ("anthropic", "claude-3-5"), ("gemini", "gpt-4x")].enumerated() {
                let m = workload("r\(i)", provider: provider, model: model)
                await proxy.tracker.start(m)
                await proxy.tracker.end(m)
            }
            let byProvider = try Self.yaml(try await proxy.get("/metrics/running-totals?provider=OPEN*").body)
            #expect((Self.section(byProvider, "providers"))?.keys.sorted() == ["openai"])
            #expect(Self.section(byProvider, "summary")?["total_requests"] as? Int == 2)
            let byModel = try Self.yaml(try await proxy.get("/metrics/running-totals?model=GPT-4%3F").body)
            #expect(Self.section(byModel, "providers")?.keys.sorted() == ["gemini", "openai"])
            #expect(Self.section(byModel, "summary")?["total_requests"] as? Int == 2)
            let both = try await proxy.get("/metrics/running-totals?provider=anth*&model=*")
            #expect(both.body.contains("# Filter: provider=anth* & model=*"))
            #expect(Self.section(try Self.yaml(both.body), "summary")?["total_requests"] as? Int == 1)
        }
    }

    @Test func badQueryValuesAre400WithTheAnthropicEnvelope() async throws {
        try await MetricsTestServer.with { proxy in
            for path in ["/metrics/running-totals?include_active=maybe", "/metrics/logs?limit_errors=0", "/metrics/logs?limit_errors=1001",
                         "/metrics/logs?limit_traces=2001", "/metrics/logs?limit_traces=abc",
                         "/metrics/running-totals?provider=" + String(repeating: "x", count: 300)] {
                let response = try await proxy.get(path)
                #expect(response.status == 400, "\(path)")
                let doc = try JSONTestValue.object(response.body)
                #expect(doc["type"] as? String == "error")
                #expect((doc["error"] as? [String: Any])?["type"] as? String == "invalid_request_error")
                #expect(doc["request_id"] is String)
            }
            #expect(try await proxy.get("/metrics/running-totals?include_active=FALSE").status == 200)
            #expect(try await proxy.get("/metrics/logs?limit_errors=1000&limit_traces=2000").status == 200)
        }
    }

    @Test func activeRequestsShowLiveNumbersNewestFirst() async throws {
        try await MetricsTestServer.with { proxy in
            let now = WallClock.nowMicros()
            await proxy.tracker.start(workload("older", provider: "openai", model: "gpt-4o", input: 1, output: 0, startMicros: now - 2_000_000))
            await proxy.tracker.start(workload("newer", provider: "anthropic", model: "claude-3-5", streaming: true, input: 2, output: 0, startMicros: now - 1_000_000))
            var doc = try await proxy.getJSON("/metrics/active-requests")
            #expect(doc["disabled"] as? Bool == false)
            var rows = try #require(doc["active_requests"] as? [[String: Any]])
            #expect(rows.map { $0["request_id"] as? String } == ["newer", "older"])
            #expect((rows[1]["duration_ms"] as? Int ?? 0) >= 2_000)
            #expect(rows[0]["qualified_model"] as? String == "anthropic:claude-3-5")

            // What the streaming forwarders do as tokens arrive.
            await proxy.tracker.update("newer") { $0.outputTokens = 42 }
            doc = try await proxy.getJSON("/metrics/active-requests")
            rows = try #require(doc["active_requests"] as? [[String: Any]])
            #expect(rows[0]["output_tokens"] as? Int == 42)

            await proxy.tracker.end(workload("newer", provider: "anthropic", model: "claude-3-5"))
            await proxy.tracker.end(workload("older"))
            doc = try await proxy.getJSON("/metrics/active-requests")
            #expect((doc["active_requests"] as? [Any])?.isEmpty == true)
            let response = try await proxy.get("/metrics/active-requests")
            #expect(response.headers["cache-control"] == "no-cache")
            #expect(response.headers["content-type"] == "application/json")
        }
    }

    @Test func logsListRecentErrorsAndTracesNewestFirstWithTheLoggingMode() async throws {
        try await MetricsTestServer.with { proxy in
            for i in 0..<5 {
                let m = workload("t\(i)", errorType: i % 2 == 0 ? "upstream_timeout" : nil)
                await proxy.tracker.start(m)
                await proxy.tracker.end(m)
            }
            let doc = try await proxy.getJSON("/metrics/logs")
            let traces = try #require(doc["traces"] as? [[String: Any]])
            #expect(traces.map { $0["request_id"] as? String } == ["t4", "t3", "t2", "t1", "t0"])
            let errors = try #require(doc["errors"] as? [[String: Any]])
            #expect(errors.map { $0["request_id"] as? String } == ["t4", "t2", "t0"])
            #expect(errors.allSatisfy { $0["error_type"] as? String == "upstream_timeout" && $0["status"] as? String == "error" })
            let logging = try #require(doc["logging"] as? [String: Any])
            #expect(logging["requested"] as? [String] == ["memory"])
            #expect(logging["effective"] as? [String] == ["memory"])
            #expect(logging["fallback_active"] as? Bool == false)
            #expect((doc["systemd"] as? [String: Any])?["handler"] as? String == "console")

            let limited = try await proxy.getJSON("/metrics/logs?limit_errors=1&limit_traces=2")
            #expect((limited["errors"] as? [[String: Any]])?.map { $0["request_id"] as? String } == ["t4"])
            #expect((limited["traces"] as? [[String: Any]])?.map { $0["request_id"] as? String } == ["t4", "t3"])
        }
    }

    @Test func disabledMetricsGiveValidDisabledDocuments() async throws {
        try await MetricsTestServer.with(["LOG_REQUEST_METRICS": "false"]) { proxy in
            let totals = try await proxy.get("/metrics/running-totals")
            #expect(totals.status == 200)
            #expect(totals.headers["content-type"] == "text/yaml; charset=utf-8")
            let doc = try Self.yaml(totals.body)
            #expect(doc["_metrics_enabled"] as? Bool == false)
            #expect(doc["message"] as? String == "Request metrics logging is disabled")
            // A bad parameter does not matter when there is nothing to filter.
            #expect(try await proxy.get("/metrics/running-totals?include_active=maybe").status == 200)

            let active = try await proxy.getJSON("/metrics/active-requests")
            #expect(active["disabled"] as? Bool == true)
            #expect(active["message"] as? String == "Request metrics logging is disabled")
            #expect(active["suggestion"] is String)
            #expect((active["active_requests"] as? [Any])?.isEmpty == true)

            #expect(try await proxy.get("/metrics").status == 200)
            #expect(try await proxy.get("/metrics/logs").status == 200)
        }
    }

    @Test func withAProxyKeyEveryMetricsEndpointRequiresItButHealthDoesNot() async throws {
        let key = "vdm-proxy-key-Zq81"
        try await MetricsTestServer.with(["PROXY_API_KEY": key]) { proxy in
            let paths = ["/metrics", "/metrics/running-totals", "/metrics/active-requests", "/metrics/logs"]
            for path in paths {
                let denied = try await proxy.get(path)
                #expect(denied.status == 401, "\(path)")
                #expect((try JSONTestValue.object(denied.body)["error"] as? [String: Any])?["type"] as? String == "authentication_error")
                #expect(try await proxy.get(path + "?key=wrong-\(key)").status == 401)
                #expect(try await proxy.get(path, headers: [("x-api-key", key)]).status == 200, "\(path)")
                #expect(try await proxy.get(path, headers: [("authorization", "Bearer " + key)]).status == 200, "\(path)")
                let separator = path.contains("?") ? "&" : "?"
                #expect(try await proxy.get(path + separator + "key=" + key).status == 200, "\(path)")
            }
            #expect(try await proxy.get("/metrics/active-requests/stream").status == 401)
            let stream = SSERecorder.connect(proxy.base + "/metrics/active-requests/stream?key=" + key)
            #expect(await stream.first { $0.event == "update" } != nil)
            stream.close()
            #expect(try await proxy.get("/health").status == 200)

            // The key in a URL never reaches a log line, valid or not.
            proxy.server.logs.flush()
            let lines = proxy.records.all.map { ECSJSONEncoder().encode($0) + ConsoleFormatter().format($0) }
            #expect(!lines.isEmpty)
            #expect(lines.allSatisfy { !$0.contains(key) })
            #expect(lines.contains { $0.contains("Invalid or missing API key on GET /metrics") })
        }
    }
}
