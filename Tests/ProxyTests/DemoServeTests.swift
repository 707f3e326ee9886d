import AsyncHTTPClient
import Foundation
import Testing
import VDMProxy
import MockUpstream
import VDMBench
import VDMDemo

/// The real `vdm demo --serve`: the report, then the dashboard URL, serving until SIGINT ends it cleanly.
@Suite struct DemoServeTests {
    @Test(arguments: [SIGINT, SIGTERM]) func demoServesTheDashboardUntilSignalled(signal: Int32) async throws {
        #expect(FileManager.default.isExecutableFile(atPath: ServeProcessTests.binary), "build the vdm product first (swift build)")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vdm-demo-serve-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let output = dir + "/stdout.txt"
        let child = try ChildProcess.start(ServeProcessTests.binary, ["demo", "--serve", "--requests", "20", "--concurrency", "4", "--logs", dir, "--log-name", "demo"],
                                           env: [:], output: output)
        defer { child.stop() }
        let deadline = ContinuousClock.now + .seconds(120)
        var url: String?
        while ContinuousClock.now < deadline, child.process.isRunning {
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            if let match = text.firstMatch(of: /Dashboard: (http:\/\/127\.0\.0\.1:\d+\/dashboard)/) {
                url = String(match.1)
                break
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        let dashboard = try #require(url, "no dashboard URL: \((try? String(contentsOfFile: output, encoding: .utf8)) ?? "")")
        let text = try String(contentsOfFile: output, encoding: .utf8)
        #expect(text.contains("vdm demo: 20 requests (4 concurrent)"))
        #expect(text.range(of: "Live running totals")!.lowerBound < text.range(of: "Dashboard: ")!.lowerBound, "the URL comes after the report")

        let page = try await HTTPClient.shared.execute(HTTPClientRequest(url: dashboard), timeout: .seconds(10))
        #expect(page.status == .ok)
        #expect(page.headers.first(name: "content-type") == "text/html; charset=utf-8")
        _ = try await page.body.collect(upTo: 1 << 20)
        let base = String(dashboard.dropLast("/dashboard".count))
        let totals = try await HTTPClient.shared.execute(HTTPClientRequest(url: base + "/metrics/running-totals?format=json&include_active=false"), timeout: .seconds(10))
        let doc = try JSONTestValue.object(String(buffer: try await totals.body.collect(upTo: 1 << 20)))
        #expect((doc["summary"] as? [String: Any])?["total_requests"] as? Int == 20)

        kill(child.process.processIdentifier, signal)
        let stopBy = ContinuousClock.now + .seconds(30)
        while child.process.isRunning, ContinuousClock.now < stopBy { try await Task.sleep(for: .milliseconds(20)) }
        #expect(!child.process.isRunning, "still running 30 s after the signal")
        #expect(child.process.terminationReason == .exit && child.process.terminationStatus == 0)
        let log = try String(contentsOfFile: dir + "/demo.jsonl", encoding: .utf8)
        #expect(log.components(separatedBy: #""event.action":"request.completed""#).count - 1 == 20)
    }
}
