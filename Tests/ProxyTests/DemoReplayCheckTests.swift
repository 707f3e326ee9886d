import Foundation
import LogPipeline
import Testing
import VDMDemo

/// `vdm demo` ends by replaying its own JSON log and saying whether the replay equals the live totals.
@Suite(.serialized) struct DemoReplayCheckTests {
    static func temporaryDirectory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vdm-demo-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func aDemoRunsReplayEqualsItsLiveTotals() async throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var demo = DemoRun(requests: 40, concurrency: 8, logDirectory: dir)
        demo.logName = "run"
        let outcome = try await demo.execute()
        #expect(outcome.jsonLog == dir + "/run.jsonl")
        #expect(outcome.live.unexpected.isEmpty, "\(outcome.live.unexpected)")
        let check = outcome.replay
        #expect(check.passed, "\(check.text)")
        #expect(check.completedRequests == 40)
        #expect(check.neverCompleted == 0)
        #expect(check.usage.notUsed == 0)
        // Every line of the file is a record, and every record was used.
        let lines = try String(contentsOfFile: outcome.jsonLog, encoding: .utf8).split(separator: "\n").count
        #expect(check.usage.used == lines)
        #expect(check.text.contains("\(lines) records used, 0 not used"))
        #expect(check.text.contains("replay EQUALS the live totals"))

        // The same log against altered live documents: the check names the first differing line.
        let liveYAML = outcome.live.yaml.replacingOccurrences(of: "total_requests: 40\n", with: "total_requests: 41\n")
        let altered = try await DemoReplayCheck.run(jsonLog: outcome.jsonLog, liveYAML: liveYAML,
                                                    livePrometheus: outcome.live.prometheus + "# extra\n")
        #expect(!altered.passed)
        #expect(altered.totals.firstDifference?.live == "  total_requests: 41")
        #expect(altered.totals.firstDifference?.replay == "  total_requests: 40")
        #expect(altered.prometheus.firstDifference?.live == "# extra")
        #expect(altered.text.contains("replay DIFFERS"))
    }

    @Test func comparisonFindsTheFirstDifferentLine() {
        #expect(DemoReplayCheck.Comparison(live: "a\nb\n", replay: "a\nb\n").isEqual)
        let shorter = DemoReplayCheck.Comparison(live: "a\nb\nc", replay: "a\nb")
        #expect(shorter.firstDifference == .init(line: 3, live: "c", replay: "(end)"))
        #expect(DemoReplayCheck.Comparison(live: "a\nx\nc", replay: "a\ny\nc").firstDifference?.line == 2)
    }

    /// The real binary, as `scripts/demo` runs it: exit 0 and the verdict on stdout.
    @Test func theDemoCommandPrintsTheVerdict() async throws {
        try VDMProcess.requireBinary()
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try await VDMProcess.run(["demo", "--requests", "30", "--concurrency", "4", "--logs", dir])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("Live running totals (GET /metrics/running-totals?include_active=false):"))
        #expect(run.stdout.contains("replay EQUALS the live totals"), "\(run.stdout)")
        #expect(run.stdout.contains("30 completed requests in the totals, 0 never completed"))
        #expect(!run.stdout.contains(DemoRun.openAIKey) && !run.stderr.contains(DemoRun.openAIKey))
    }
}
