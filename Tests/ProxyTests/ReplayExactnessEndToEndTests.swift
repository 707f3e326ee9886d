import Foundation
import LogPipeline
import Testing
import VDMProxy
import VDMDemo

/// The contract: `vdm replay` on a run's JSON log equals the live
/// `/metrics/running-totals?include_active=false` byte for byte, apart from the Generated line; and
/// `vdm replay --format prometheus` equals the live `/metrics` for every family replay renders.
@Suite(.serialized) struct ReplayExactnessEndToEndTests {
    /// The families a replay renders: every family of `/metrics` but the process ones.
    static let replayedFamilies = [
        "vdm_requests_total", "vdm_request_errors_total", "vdm_tokens_total", "vdm_request_duration_seconds",
        "vdm_upstream_duration_seconds", "vdm_proxy_overhead_seconds", "vdm_time_to_first_token_seconds",
    ]

    static func families(_ exposition: String) -> Set<String> {
        Set(exposition.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }.map { String($0.split(separator: " ")[2]) })
    }

    func assertReplayEqualsLive(requests: [DemoRequest], concurrency: Int) async throws {
        try await E2E.run(env: ["LOG_SUMMARY_INTERVAL": "25"]) { e2e in
            let (_, unexpected) = try await DemoTraffic.send(requests, to: e2e.proxy.baseURL, concurrency: concurrency)
            #expect(unexpected.isEmpty, "\(unexpected)")
            _ = try await e2e.completed(count: requests.count, timeout: .seconds(30))
            let live = try await e2e.get("/metrics/running-totals?include_active=false")
            #expect(live.status == 200)
            let liveMetrics = try await e2e.get("/metrics")
            #expect(liveMetrics.status == 200)
            e2e.proxy.server.logs.flush()
            let yaml = try await Replay.totalsDocument(paths: [e2e.jsonPath], format: .yaml)
            #expect(TotalsFormat.yaml.comparable(yaml) == TotalsFormat.yaml.comparable(live.text))
            #expect(yaml.contains("total_requests: \(requests.count)\n"))

            // Prometheus: the same bytes as the live endpoint once its process families are set aside.
            let (_, exposition) = try await ReplayExposition.run(paths: [e2e.jsonPath])
            // vdm_log_sink_fallback has series only while an output is fallen back (not here).
            #expect(Self.families(liveMetrics.text) == Set(Self.replayedFamilies + MetricNames.processFamilies).subtracting([MetricNames.logSinkFallback.name]))
            #expect(Self.families(exposition) == Set(Self.replayedFamilies))
            #expect(exposition == ExpositionOrder.removing(families: MetricNames.processFamilies, from: liveMetrics.text))
            let samples = PrometheusSamples(exposition)
            #expect(samples.sum("vdm_requests_total") == Double(requests.count))
            #expect(samples.sum("vdm_request_duration_seconds_count") == Double(requests.count))
            #expect(samples.sum("vdm_request_errors_total") > 0)

            // The logged checkpoints prove the log complete.
            let report = try SummariesVerifier.verify(paths: [e2e.jsonPath])
            #expect(report.isComplete, "\(report.text())")
            #expect(report.instances.count == 1)
            #expect((report.instances.first?.verified ?? 0) >= requests.count / 25)
        }
    }

    @Test func demoWorkload() async throws {
        try await assertReplayEqualsLive(requests: DemoWorkload.requests(count: 120), concurrency: 8)
    }

    @Test func twoHundredConcurrentMixedRequests() async throws {
        try await assertReplayEqualsLive(requests: DemoWorkload.requests(count: 200), concurrency: 200)
    }

    @Test
    func promtoolAcceptsTheReplayedExposition() async throws {
        let promtool = try ExternalTool.require("promtool")
        try await E2E.run { e2e in
            let requests = DemoWorkload.requests(count: 60)
            _ = try await DemoTraffic.send(requests, to: e2e.proxy.baseURL, concurrency: 6)
            _ = try await e2e.completed(count: requests.count, timeout: .seconds(30))
            e2e.proxy.server.logs.flush()
            let (_, exposition) = try await ReplayExposition.run(paths: [e2e.jsonPath])
            #expect(PrometheusSamples(exposition).sum("vdm_requests_total") == Double(requests.count))
            let result = try await ExternalTool.run(promtool, ["check", "metrics"], input: Array(exposition.utf8))
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            #expect(result.stdout.isEmpty && result.stderr.isEmpty, "lint findings: \(result.stdout)\(result.stderr)")
        }
    }
}
