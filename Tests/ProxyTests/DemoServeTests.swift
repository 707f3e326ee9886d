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
        try VDMProcess.requireBinary()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vdm-demo-serve-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let output = dir + "/stdout.txt"
        let child = try VDMProcess.start(["demo", "--serve", "--requests", "20", "--concurrency", "4", "--logs", dir, "--log-name", "demo"],
                                           env: [:], output: output)
        defer { child.stop() }
        let url = try? await Deadline.value("vdm demo prints its dashboard URL", timeout: .seconds(120), poll: .milliseconds(50)) { () -> String? in
            guard child.process.isRunning else { throw TestFailure("vdm demo exited") }
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            return text.firstMatch(of: /Dashboard: (http:\/\/127\.0\.0\.1:\d+\/dashboard)/).map { String($0.1) }
        }
        let dashboard = try #require(url, "no dashboard URL: \((try? String(contentsOfFile: output, encoding: .utf8)) ?? "")")
        let text = try String(contentsOfFile: output, encoding: .utf8)
        #expect(text.contains("vdm demo: 20 requests (4 concurrent)"))
        #expect(text.range(of: "Live running totals")!.lowerBound < text.range(of: "Dashboard: ")!.lowerBound, "the URL comes after the report")

        let page = try await TestHTTP.send(dashboard, timeout: .seconds(10)).complete()
        #expect(page.status == 200)
        #expect(page.headers.first(name: "content-type") == "text/html; charset=utf-8")
        let base = String(dashboard.dropLast("/dashboard".count))
        let totals = try await TestHTTP.send(base + "/metrics/running-totals?format=json&include_active=false", timeout: .seconds(10)).complete()
        let doc = try JSONTestValue.object(totals.text)
        #expect((doc["summary"] as? [String: Any])?["total_requests"] as? Int == 20)

        kill(child.process.processIdentifier, signal)
        #expect(try await Deadline.holds(within: .seconds(30)) { !child.process.isRunning }, "still running 30 s after the signal")
        #expect(child.process.terminationReason == .exit && child.process.terminationStatus == 0)
        let log = try String(contentsOfFile: dir + "/demo.jsonl", encoding: .utf8)
        #expect(log.components(separatedBy: #""event.action":"request.completed""#).count - 1 == 20)
    }
}
