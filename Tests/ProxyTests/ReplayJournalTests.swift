import Foundation
import LogPipeline
import Testing
import VDMProxy
import MockUpstream
import VDMDemo
import VDMBench

/// `vdm replay --journal`: one proxy writes the same records to a JSON file and to the private journald
/// of `scripts/with-journald`; the journal's replay of that process equals the file's replay.
@Suite struct ReplayJournalTests {
    @Test func theJournalReplaysToTheSameTotalsAsTheJSONFile() async throws {
        let directory = try PrivateJournal.require()
        let jsonLog = FileManager.default.temporaryDirectory.appendingPathComponent("vdm-replay-journal-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: jsonLog) }
        let startMicros = UInt64(WallClock.nowMicros())
        try await MockUpstream.withRunning { mock in
            let env = [
                "OPENAI_API_KEY": "sk-replay-journal-0123456789abcdefghij", "OPENAI_BASE_URL": mock.baseURL + "/v1",
                "ANTHROPIC_API_KEY": "sk-ant-api03-replay-journal-0123456789", "ANTHROPIC_BASE_URL": mock.baseURL,
                "VDM_DEFAULT_PROVIDER": "openai", "LOG_SUMMARY_INTERVAL": "7", "REQUEST_TIMEOUT": "30",
            ]
            let setup = try ServeSetup.make(env: env, host: "127.0.0.1", port: 0, console: false, logTarget: "journald,json:\(jsonLog)")
            #expect(setup.logs.mode.effective.contains("journald"))
            try await ProxyRunner.withRunning(setup.server) { proxy in
                let (counts, unexpected) = try await DemoTraffic.send(DemoWorkload.requests(count: 30), to: proxy.baseURL, concurrency: 6)
                #expect(unexpected.isEmpty, "\(unexpected)")
                #expect(counts.values.reduce(0, +) == 30)
            }
        }
        let fromFile = try await Replay.run(paths: [jsonLog])
        let instance = try #require(fromFile.instances.keys.first)
        #expect(fromFile.instances.count == 1)
        let expected = RunningTotalsYAML.render(try fromFile.runningTotals(instance: instance), generatedMicros: 0)
        #expect(expected.contains("total_requests: 30"), "\(expected)")

        // journald stores asynchronously: replay until this process's records are all there.
        var fromJournal = ""
        for _ in 0..<50 {
            let state = try JournalReplay.state(source: .directory(directory), since: startMicros, until: nil)
            fromJournal = RunningTotalsYAML.render(try state.runningTotals(instance: instance), generatedMicros: 0)
            if fromJournal == expected { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(fromJournal == expected)
    }

    @Test func theRealCommandReadsTheJournalAndRejectsBadTimes() async throws {
        let directory = try PrivateJournal.require()
        let ok = try await runVDM(["replay", "--journal", "--directory", directory, "--since", "@0", "--format", "json", "--quiet"])
        #expect(ok.status == 0, "\(ok.output)")
        #expect(ok.output.contains("\"summary\""), "\(ok.output)")

        let badTime = try await runVDM(["replay", "--journal", "--since", "yesterday-ish"])
        #expect(badTime.status == 64)
        #expect(badTime.output.contains("--since 'yesterday-ish'"), "\(badTime.output)")
        // Past UInt64 microseconds: a usage error, not a Double-to-integer trap.
        let hugeTime = try await runVDM(["replay", "--journal", "--until", "@1e300"])
        #expect(hugeTime.status == 64, "\(hugeTime.output)")
        #expect(hugeTime.output.contains("--until '@1e300'"), "\(hugeTime.output)")

        let both = try await runVDM(["replay", "--journal", "some.jsonl"])
        #expect(both.status == 64)
        #expect(both.output.contains("not both"), "\(both.output)")

        let missing = try await runVDM(["replay", "--journal", "--directory", "/nonexistent/journal"])
        #expect(missing.status == 66)
        #expect(missing.output.contains("/nonexistent/journal"), "\(missing.output)")
    }

    /// Runs the built `vdm` binary; stdout and stderr together.
    private func runVDM(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("vdm-replay-journal-\(UUID().uuidString).out").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        let child = try ChildProcess.start(ServeProcessTests.binary, arguments, env: [:], output: log)
        let status = try await child.exitStatus(within: .seconds(60)) ?? -1  // -1: killed at the deadline
        return (status, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }
}
