import Foundation
import LogPipeline
import Testing
@testable import vdm

/// The contract: `vdm replay` on a run's JSON log equals the live
/// `/metrics/running-totals?include_active=false` byte for byte, apart from the Generated line.
@Suite(.serialized) struct ReplayExactnessEndToEndTests {
    func assertReplayEqualsLive(requests: [DemoRequest], concurrency: Int) async throws {
        try await E2E.run(env: ["LOG_SUMMARY_INTERVAL": "25"]) { e2e in
            let (_, unexpected) = try await DemoTraffic.send(requests, to: e2e.proxy.baseURL, concurrency: concurrency)
            #expect(unexpected.isEmpty, "\(unexpected)")
            _ = try await e2e.completed(count: requests.count, timeout: .seconds(30))
            let live = try await e2e.get("/metrics/running-totals?include_active=false")
            #expect(live.status == 200)
            e2e.proxy.server.logs.flush()
            let yaml = try await Replay.totalsDocument(paths: [e2e.jsonPath], format: .yaml)
            #expect(TotalsFormat.yaml.comparable(yaml) == TotalsFormat.yaml.comparable(live.text))
            #expect(yaml.contains("total_requests: \(requests.count)\n"))
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
}
