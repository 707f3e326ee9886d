import Foundation
import LogPipeline
import Testing
import VDMProxy
import MockUpstream
import VDMBench
import VDMDemo

/// The real Debian `logrotate` rotating a real `vdm serve`'s JSON log while traffic runs, with the
/// shipped `contrib/logrotate/vdm` (its path and its postrotate command pointed at this test's run).
/// Oracle: the live `/metrics/running-totals?include_active=false` and the process's own sequence
/// numbers; replay over every rotated file together must equal the one and contain the other once each.
@Suite(.serialized) struct LogRotateTests {
    static var contribConfig: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("contrib/logrotate/vdm").path
    }

    struct Run {
        var live: String
        var files: [String]
        var rotations: Int
        var requests: Int
    }

    /// Serves `requests` requests (4 at a time) while `rotations` logrotate runs happen at seeded random
    /// moments; returns the live totals and the log files left (rotated ones included).
    static func rotateDuringTraffic(config: @escaping @Sendable (_ log: String, _ pid: Int32) -> String, requests: Int, rotations: Int,
                                    seed: UInt64) async throws -> Run {
        let logrotate = try ExternalTool.require("logrotate", package: "logrotate")
        var rng = SplitMix64(state: seed)
        return try await MockUpstream.withRunning { mock in
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vdm-rotate-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let log = dir + "/vdm.json"
            let served = try await ServedProcess(
                arguments: ["--log-json", log, "--no-console"],
                env: ["OPENAI_API_KEY": "sk-rotate-test-0123456789abcdefgh", "OPENAI_BASE_URL": mock.baseURL + "/v1",
                      "ANTHROPIC_API_KEY": E2E.anthropicKey, "ANTHROPIC_BASE_URL": mock.baseURL,
                      "VDM_DEFAULT_PROVIDER": "openai", "LOG_SUMMARY_INTERVAL": "25", "REQUEST_TIMEOUT": "30"],
                output: try openForWriting(dir + "/console.out"))
            let configPath = dir + "/logrotate.conf"
            try config(log, served.pid).write(toFile: configPath, atomically: true, encoding: .utf8)

            let traffic = Task {
                try await DemoTraffic.send(DemoWorkload.requests(count: requests), to: served.baseURL, concurrency: 4)
            }
            for _ in 0..<rotations {
                try await Task.sleep(for: .milliseconds(rng.below(400) + 100))
                let result = try await ExternalTool.run(logrotate, ["-f", "-s", dir + "/logrotate.state", configPath])
                #expect(result.status == 0, "logrotate: \(result.stdout)\(result.stderr)")
            }
            let (_, unexpected) = try await traffic.value
            #expect(unexpected.isEmpty, "\(unexpected)")
            // The client has its last byte a moment before the proxy logs the completion.
            var live = ""
            let deadline = ContinuousClock.now + .seconds(30)
            repeat {
                live = try await served.get("/metrics/running-totals?include_active=false").text
                if live.contains("total_requests: \(requests)\n") { break }
                try await Task.sleep(for: .milliseconds(20))
            } while ContinuousClock.now < deadline
            let status = try await served.stop()
            #expect(status == 0)
            let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("vdm.json") }.sorted().map { dir + "/" + $0 }
            return Run(live: live, files: files, rotations: rotations, requests: requests)
        }
    }

    /// The shipped config with this run's log path and `kill -HUP` of this run's process.
    static func shippedConfig(_ text: String, log: String, pid: Int32) -> String {
        text.replacingOccurrences(of: "/var/log/vdm/vdm.json {", with: "\(log) {")
            .split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.contains("systemctl reload vdm.service") ? "        /bin/kill -HUP \(pid)" : String($0) }
            .joined(separator: "\n")
    }

    @Test
    func renameAndSIGHUPLoseAndRepeatNothing() async throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        print("LogRotateTests.renameAndSIGHUP seed: \(seed)")
        let shipped = try String(contentsOfFile: Self.contribConfig, encoding: .utf8)
        #expect(shipped.contains("/var/log/vdm/vdm.json {"))
        #expect(shipped.contains("systemctl reload vdm.service"))
        let run = try await Self.rotateDuringTraffic(config: { Self.shippedConfig(shipped, log: $0, pid: $1) },
                                                     requests: 400, rotations: 4, seed: seed)
        // delaycompress: the newest rotated file stays plain, older ones are gzip.
        #expect(run.files.count == run.rotations + 1, "\(run.files)")
        #expect(run.files.contains { $0.hasSuffix(".gz") })

        let report = try SummariesVerifier.verify(paths: run.files)
        #expect(report.isComplete, "\(report.text())")
        let instance = try #require(report.instances.first)
        #expect(report.instances.count == 1)
        #expect(instance.gaps.isEmpty && instance.duplicateRecords == 0)
        #expect(UInt64(instance.records) == instance.lastSequence, "every sequence number from 1 once")
        let replay = try await Replay.totalsDocument(paths: run.files, format: .yaml)
        #expect(TotalsFormat.yaml.comparable(replay) == TotalsFormat.yaml.comparable(run.live))
        #expect(replay.contains("total_requests: \(run.requests)\n"))
        #expect(try await Self.reopenLines(run.files) == run.rotations)
    }

    /// copytruncate needs no signal, but loses what vdm writes between logrotate's copy and its truncate.
    /// Measured, not assumed: nothing may be duplicated, every loss must be a gap `vdm summaries`
    /// names, and with no loss replay must equal live. The measured loss is printed.
    @Test
    func copytruncateLosesOnlyTheWindowAndSaysSo() async throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        print("LogRotateTests.copytruncate seed: \(seed)")
        let run = try await Self.rotateDuringTraffic(config: { log, _ in
            "\(log) {\n    rotate 10\n    missingok\n    copytruncate\n}\n"
        }, requests: 400, rotations: 4, seed: seed)
        #expect(run.files.count == run.rotations + 1, "\(run.files)")
        let report = try SummariesVerifier.verify(paths: run.files)
        let instance = try #require(report.instances.first)
        #expect(instance.duplicateRecords == 0, "copytruncate must not duplicate: \(report.text())")
        #expect(UInt64(instance.records) + instance.missingRecords == instance.lastSequence)
        print("LogRotateTests.copytruncate: \(instance.missingRecords) of \(instance.lastSequence) records lost in \(run.rotations) rotations; malformed lines: \(report.problems.counts)")
        if instance.missingRecords == 0 && report.problems.counts.isEmpty {
            let replay = try await Replay.totalsDocument(paths: run.files, format: .yaml)
            #expect(TotalsFormat.yaml.comparable(replay) == TotalsFormat.yaml.comparable(run.live))
        }
    }

    /// The "reopened" lines vdm logs on SIGHUP, across all files (read with `zcat -f`: plain and .gz).
    static func reopenLines(_ files: [String]) async throws -> Int {
        let all = try await ExternalTool.run(try ExternalTool.require("zcat", package: "gzip"), ["-f"] + files)
        return all.stdout.split(separator: "\n").filter { $0.contains("SIGHUP: reopened log file") }.count
    }
}
