import Foundation
import LogPipeline
import Testing
@testable import vdm

/// `vdm serve --log-target journald` against the private journald of `scripts/with-journald`, then the
/// real `vdm trace PREFIX --journal --directory DIR` finds that request's records by prefix alone.
@Suite struct TraceJournalTests {
    static var journalDirectory: String? { ProcessInfo.processInfo.environment["VDM_TEST_JOURNAL_DIR"] }
    static var required: Bool {
        let env = ProcessInfo.processInfo.environment
        return env["CI"] == "true" || env["VDM_REQUIRE_JOURNALD"] == "1"
    }

    @Test func traceFindsARequestInTheJournalByPrefix() async throws {
        guard let directory = Self.journalDirectory else {
            #expect(!Self.required, "no private journald (run under scripts/with-journald)")
            return
        }
        let requestID = "journal-trace-\(UUID().uuidString.lowercased())"
        try await MockUpstream.withRunning { mock in
            let env = ["OPENAI_API_KEY": "sk-journal-trace-0123456789abcdefghij", "OPENAI_BASE_URL": mock.baseURL + "/v1", "LOG_SUMMARY_INTERVAL": "0"]
            let setup = try ServeSetup.make(env: env, host: "127.0.0.1", port: 0, console: false, logTarget: "journald")
            #expect(setup.logs.mode.effective == ["journald"])
            try await ProxyRunner.withRunning(setup.server) { proxy in
                var request = HTTPClientRequestBuilder.post(proxy.baseURL + "/v1/messages", body: anthropicBody(stream: true))
                request.headers.add(name: "x-request-id", value: requestID)
                let status = try await HTTPClientRequestBuilder.send(request)
                #expect(status == 200)
                while await proxy.tracker.activeCount > 0 { try await Task.sleep(for: .milliseconds(20)) }
            }
        }
        // journald stores asynchronously: poll the real command until both records are there.
        var output = ""
        for _ in 0..<50 {
            let log = FileManager.default.temporaryDirectory.appendingPathComponent("vdm-trace-\(UUID().uuidString).json").path
            let child = try ChildProcess.start(ServeProcessTests.binary, ["trace", String(requestID.prefix(20)), "--journal", "--directory", directory, "--json"], env: [:], output: log)
            child.process.waitUntilExit()
            output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if child.process.terminationStatus == 0, output.contains("request.completed") { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(output.contains("request.started"), "\(output)")
        #expect(output.contains("request.completed"), "\(output)")
        #expect(output.contains(requestID))
        #expect(!output.contains("sk-journal-trace-0123456789abcdefghij"))
    }
}
