import Foundation
import Journald
import LogPipeline
import Testing
import Yams
import VDMProxy

/// `MetricsExporter` and `GET /metrics`: vocabulary, bounded labels, a valid exposition (promtool),
/// a real Prometheus scraping it, and agreement with the YAML and JSON views.
@Suite struct PrometheusExportTests {
    static func text(_ exporter: MetricsExporter) -> String {
        var buffer: [UInt8] = []
        exporter.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    @Test func completedRequestsFeedEverySeries() {
        let exporter = MetricsExporter()
        exporter.observe(.started(workload("a")))
        exporter.observe(.started(workload("b")))
        exporter.observe(.completed(workload("a", streaming: true, input: 10, output: 20, cacheRead: 5, cacheCreation: 3,
                                             durationMillis: 1_500, upstreamMillis: 1_400, firstTokenMillis: 300)))
        let samples = PrometheusSamples(Self.text(exporter))
        let labels = ["provider": "openai", "model": "gpt-4o", "streaming": "true"]
        #expect(samples.sum("vdm_requests_total") { $0 == labels } == 1)
        #expect(samples.sum("vdm_requests_in_flight") == 1)
        #expect(samples.sum("vdm_tokens_total") { $0["type"] == "input" } == 10)
        #expect(samples.sum("vdm_tokens_total") { $0["type"] == "output" } == 20)
        #expect(samples.sum("vdm_tokens_total") { $0["type"] == "cache_read" } == 5)
        #expect(samples.sum("vdm_tokens_total") { $0["type"] == "cache_creation" } == 3)
        #expect(samples.sum("vdm_request_duration_seconds_sum") == 1.5)
        #expect(samples.sum("vdm_upstream_duration_seconds_sum") == 1.4)
        #expect(abs(samples.sum("vdm_proxy_overhead_seconds_sum") - 0.1) < 1e-9)
        #expect(samples.sum("vdm_time_to_first_token_seconds_count") == 1)
        #expect(samples.sum("vdm_time_to_first_token_seconds_bucket") { $0["le"] == "0.25" } == 0)
        #expect(samples.sum("vdm_time_to_first_token_seconds_bucket") { $0["le"] == "0.5" } == 1)
        #expect(samples.sum("vdm_request_duration_seconds_bucket") { $0["le"] == "+Inf" } == 1)
        #expect(samples.sum("vdm_request_errors_total") == 0)
    }

    @Test func labelValuesAreBounded() {
        var configuration = MetricsExporter.Configuration()
        configuration.maxModelPairs = 3
        let exporter = MetricsExporter(configuration: configuration)
        for i in 0..<10 {
            exporter.record(workload("r\(i)", provider: i % 2 == 0 ? "openai" : "anthropic", model: "model-\(i)", errorType: i < 4 ? "upstream_5xx" : "made_up_\(i)"))
        }
        exporter.record(workload("x", model: "model-0"))  // an admitted pair keeps its own series
        let samples = PrometheusSamples(Self.text(exporter))
        let series = samples.samples.filter { $0.name == "vdm_requests_total" }
        let models = Set(series.map { $0.labels["model"] ?? "" })
        #expect(models == ["model-0", "model-1", "model-2", "(other)"])
        #expect(exporter.labelPairs == 3)
        #expect(samples.sum("vdm_requests_total") == 11)
        #expect(samples.sum("vdm_requests_total") { $0["model"] == "model-0" } == 2)
        #expect(samples.sum("vdm_requests_total") { $0["model"] == "(other)" && $0["provider"] == "openai" } == 3)  // 4, 6, 8
        #expect(samples.sum("vdm_requests_total") { $0["model"] == "(other)" && $0["provider"] == "anthropic" } == 4)  // 3, 5, 7, 9
        let errorTypes = Set(samples.samples.filter { $0.name == "vdm_request_errors_total" }.compactMap { $0.labels["error_type"] })
        #expect(errorTypes == ["upstream_5xx", "(other)"])
        #expect(samples.sum("vdm_request_errors_total") == 10)
    }

    @Test func labelValuesCarryNoControlCharactersAndAreCapped() {
        #expect(MetricLabels.clean("a\nb\u{1}c") == "a\u{FFFD}b\u{FFFD}c")
        #expect(MetricLabels.clean(String(repeating: "m", count: 500)).count == MetricLabels.maxValueLength)
        #expect(MetricLabels.clean("") == "unknown")
        let exporter = MetricsExporter()
        exporter.record(workload("q", model: "evil\"} 1\nvdm_fake 2"))
        let text = Self.text(exporter)
        #expect(!text.contains("\nvdm_fake"))
        #expect(PrometheusSamples(text).sum("vdm_requests_total") == 1)
    }

    @Test func negativeCountsFromAConfusedUpstreamDoNotCrash() {
        let exporter = MetricsExporter()
        exporter.record(workload("n", input: -5, output: -1, durationMillis: -3, upstreamMillis: 0))
        let samples = PrometheusSamples(Self.text(exporter))
        #expect(samples.sum("vdm_tokens_total") == 0)
        #expect(samples.sum("vdm_upstream_duration_seconds_count") == 0)
    }

    @Test func logRecordsAndFallbackHook() {
        let exporter = MetricsExporter()
        exporter.updateLogging(recordsEmitted: 10, fallbacks: [])
        let healthy = PrometheusSamples(Self.text(exporter))
        #expect(healthy.sum("vdm_log_fallback_active") == 0)
        #expect(!healthy.samples.contains { $0.name == "vdm_log_sink_fallback" })
        let toSyslog = LogFallback(sink: "journald", to: "syslog")
        exporter.updateLogging(recordsEmitted: 25, fallbacks: [toSyslog])
        exporter.updateLogging(recordsEmitted: 20, fallbacks: [toSyslog])  // never backwards
        let samples = PrometheusSamples(Self.text(exporter))
        #expect(samples.sum("vdm_log_records_total") == 25)
        #expect(samples.sum("vdm_log_fallback_active") == 1)
        #expect(samples.samples.filter { $0.name == "vdm_log_sink_fallback" }.map(\.labels) == [["sink": "journald", "to": "syslog"]])
        #expect(samples.sum("vdm_log_sink_fallback") == 1)
        // syslog failed too: the series moves to the new pair rather than leaving a stale one at 1.
        exporter.updateLogging(recordsEmitted: 30, fallbacks: [LogFallback(sink: "journald", to: "console")])
        let moved = PrometheusSamples(Self.text(exporter))
        #expect(moved.samples.filter { $0.name == "vdm_log_sink_fallback" }.map(\.labels) == [["sink": "journald", "to": "console"]])
    }

    /// The fallback is forced (journald and syslog sockets that do not exist), not simulated: the
    /// gauge comes from the log selection the proxy really made.
    @Test func aJournaldThatIsNotThereShowsAsAFallback() async throws {
        try await MetricsTestServer.with(logs: MetricsTestServer.journaldUnavailable) { proxy in
            let samples = PrometheusSamples(try await proxy.get("/metrics").body)
            #expect(samples.samples.filter { $0.name == "vdm_log_sink_fallback" }.map(\.labels) == [["sink": "journald", "to": "console"]])
            #expect(samples.sum("vdm_log_sink_fallback") == 1)
            #expect(samples.sum("vdm_log_fallback_active") == 1)
            let logging = try #require(try await proxy.getJSON("/metrics/logs")["logging"] as? [String: Any])
            #expect(logging["requested"] as? [String] == ["journald"])
            #expect((logging["effective"] as? [String])?.first == "console")
            #expect(logging["fallback_active"] as? Bool == true)
        }
        try await MetricsTestServer.with { proxy in
            let samples = PrometheusSamples(try await proxy.get("/metrics").body)
            #expect(samples.sum("vdm_log_fallback_active") == 0)
            #expect(!samples.samples.contains { $0.name == "vdm_log_sink_fallback" })
        }
    }

    /// A mixed workload; returns (completed, in flight).
    static func mixedWorkload(_ tracker: RequestTracker) async -> (Int, Int) {
        let plan: [(String, String, Bool, String?)] = [
            ("openai", "gpt-4o", false, nil), ("openai", "gpt-4o", true, nil), ("openai", "gpt-4o-mini", true, "upstream_timeout"),
            ("anthropic", "claude-3-5", false, nil), ("anthropic", "claude-3-5", true, nil), ("anthropic", "claude-3-5", false, "upstream_5xx"),
            ("gemini", "gemini-pro", true, nil), ("gemini", "gemini-pro", false, "invalid_request"), ("gemini", "gemini-pro", true, "not_in_taxonomy"),
        ]
        var completed = 0
        for round in 0..<4 {
            for (i, (provider, model, streaming, error)) in plan.enumerated() {
                let n = round * plan.count + i
                let m = workload("mix-\(n)", provider: provider, model: model, streaming: streaming, input: 100 + n, output: 10 + n,
                                 cacheRead: n % 3 == 0 ? 50 : 0, cacheCreation: n % 4 == 0 ? 7 : 0, durationMillis: Int64(100 + 37 * n),
                                 upstreamMillis: Int64(90 + 30 * n), firstTokenMillis: streaming ? Int64(20 + n) : 0, errorType: error)
                await tracker.start(m)
                await tracker.end(m)
                completed += 1
            }
        }
        await tracker.start(workload("live-1", provider: "openai", streaming: true, input: 5, output: 1))
        await tracker.start(workload("live-2", provider: "gemini", model: "gemini-pro", input: 6))
        return (completed, 2)
    }

    @Test func yamlJSONAndPrometheusAgreeAfterAMixedWorkload() async throws {
        try await MetricsTestServer.with { proxy in
            let (completed, inFlight) = await Self.mixedWorkload(proxy.tracker)
            let yaml = try #require(try Yams.load(yaml: try await proxy.get("/metrics/running-totals?include_active=false").body) as? [String: Any])
            let summary = try #require(yaml["summary"] as? [String: Any])
            let withActive = try #require(try Yams.load(yaml: try await proxy.get("/metrics/running-totals").body) as? [String: Any])
            let logs = try await proxy.getJSON("/metrics/logs?limit_traces=2000&limit_errors=1000")
            let traces = try #require(logs["traces"] as? [[String: Any]])
            let errors = try #require(logs["errors"] as? [[String: Any]])
            let active = try #require(try await proxy.getJSON("/metrics/active-requests")["active_requests"] as? [[String: Any]])
            let prometheus = try await proxy.get("/metrics")
            #expect(prometheus.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
            let samples = PrometheusSamples(prometheus.body)

            func traceSum(_ key: String) -> Int { traces.reduce(0) { $0 + ($1[key] as? Int ?? 0) } }
            #expect(summary["total_requests"] as? Int == completed)
            #expect(traces.count == completed)
            #expect(samples.sum("vdm_requests_total") == Double(completed))
            #expect(samples.sum("vdm_request_duration_seconds_count") == Double(completed))

            #expect(summary["total_errors"] as? Int == errors.count)
            #expect(samples.sum("vdm_request_errors_total") == Double(errors.count))
            for type in ["upstream_timeout", "upstream_5xx", "invalid_request"] {
                #expect(samples.sum("vdm_request_errors_total") { $0["error_type"] == type } == Double(errors.filter { $0["error_type"] as? String == type }.count))
            }
            #expect(samples.sum("vdm_request_errors_total") { $0["error_type"] == "(other)" } == 4)

            for (yamlKey, traceKey, type) in [("total_input_tokens", "input_tokens", "input"), ("total_output_tokens", "output_tokens", "output"),
                                              ("total_cache_read_tokens", "cache_read_tokens", "cache_read"),
                                              ("total_cache_creation_tokens", "cache_creation_tokens", "cache_creation")] {
                let fromYAML = try #require(summary[yamlKey] as? Int)
                #expect(fromYAML == traceSum(traceKey), "\(yamlKey)")
                #expect(samples.sum("vdm_tokens_total") { $0["type"] == type } == Double(fromYAML), "\(type)")
            }

            let totalMillis = try #require(summary["total_duration_ms"] as? Double)
            #expect(abs(samples.sum("vdm_request_duration_seconds_sum") * 1_000 - totalMillis) < 1e-6)
            #expect(abs(traces.reduce(0) { $0 + ($1["duration_ms"] as? Double ?? 0) } - totalMillis) < 1e-6)

            let providers = try #require(yaml["providers"] as? [String: Any])
            for (name, value) in providers {
                let rollup = try #require(((value as? [String: Any])?["rollup"] as? [String: Any])?["total"] as? [String: Any])
                #expect(samples.sum("vdm_requests_total") { $0["provider"] == name } == Double(rollup["requests"] as? Int ?? -1), "\(name)")
                #expect(samples.sum("vdm_request_errors_total") { $0["provider"] == name } == Double(rollup["errors"] as? Int ?? -1), "\(name)")
                let streaming = ((value as? [String: Any])?["rollup"] as? [String: Any])?["streaming"] as? [String: Any]
                #expect(samples.sum("vdm_requests_total") { $0["provider"] == name && $0["streaming"] == "true" } == Double(streaming?["requests"] as? Int ?? 0))
            }
            #expect(samples.sum("vdm_time_to_first_token_seconds_count") == Double(traces.filter { $0["is_streaming"] as? Bool == true }.count))

            #expect(active.count == inFlight)
            #expect((withActive["summary"] as? [String: Any])?["active_requests"] as? Int == inFlight)
            #expect((withActive["summary"] as? [String: Any])?["total_requests"] as? Int == completed + inFlight)
            #expect(samples.sum("vdm_requests_in_flight") == Double(inFlight))
        }
    }

    @Test
    func promtoolAcceptsTheExposition() async throws {
        let promtool = try ExternalTool.require("promtool")
        try await MetricsTestServer.with { proxy in
            _ = await Self.mixedWorkload(proxy.tracker)
            let body = try await proxy.get("/metrics").body
            let result = try await ExternalTool.run(promtool, ["check", "metrics"], input: Array(body.utf8))
            print("promtool check metrics: exit \(result.status) \(result.stdout)\(result.stderr)")
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            #expect(result.stdout.isEmpty && result.stderr.isEmpty, "lint findings: \(result.stdout)\(result.stderr)")
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func aRealPrometheusScrapesTheEndpoint() async throws {
        let key = "scrape-key-7hq2"
        try await MetricsTestServer.with(["PROXY_API_KEY": key]) { proxy in
            let prometheus = try await PrometheusServer.start(scraping: proxy.port, bearer: key)
            defer { prometheus.stop() }
            let (completed, inFlight) = await Self.mixedWorkload(proxy.tracker)
            let started = ContinuousClock.now
            let requests = try await prometheus.waitFor("sum(vdm_requests_total)", toEqual: Double(completed))
            print("Prometheus \(prometheus.base) saw sum(vdm_requests_total) = \(requests.map { String($0) } ?? "nothing") after \(ContinuousClock.now - started)")
            #expect(requests == Double(completed))
            // `up` is the last scrape's outcome: one scrape over its 1 s timeout on a loaded machine makes
            // it 0 for a second; wait (bounded) for a good one instead of reading one instant.
            #expect(try await prometheus.waitFor(#"up{job="vdm"}"#, toEqual: 1) == 1)
            #expect(try await prometheus.waitFor("vdm_requests_in_flight", toEqual: Double(inFlight)) == Double(inFlight))
            // Each read waits (bounded) too: a scrape that timed out on a loaded machine marks the series
            // stale until the next good one, and an instant query then finds nothing.
            #expect(try await prometheus.waitFor(#"sum(vdm_request_errors_total{error_type="upstream_timeout"})"#, toEqual: 4) == 4)
            #expect(try await prometheus.waitFor(#"sum(vdm_requests_total{provider="anthropic"})"#, toEqual: 12) == 12)
        }
    }
}
