import Foundation
import LogPipeline
import Testing
import VDMProxy
import MockUpstream
import VDMBench
import VDMDemo

/// Issue #15 §1: a console going to a pipe nobody reads used to stall every request (after ~11,600
/// of them, `/health` included). Now the console drops, bounded: a real `vdm serve` whose stderr is a
/// pipe never read keeps answering, counts the drops on /metrics, and its JSON file keeps every record
/// plus the WARNING.
@Suite(.serialized) struct StuckConsoleTests {
    /// The bounded wait this test sets. A request waits it at most once per record and burst; the limit
    /// below is that plus a margin for a loaded machine: a batch of 16 concurrent requests took up to
    /// 5 s here while the whole suite ran in parallel on 2 shared cores, and 11 s with six builds
    /// beside it (load 30). Before the fix the requests never completed at all (every request hung
    /// once the pipe was full), so any finite limit tells the two apart.
    static let waitMillis = 200
    static let perRequestLimit: Duration = .seconds(30)

    @Test func aConsolePipeNobodyReadsDelaysNoRequestBeyondTheBound() async throws {
        try await MockUpstream.withRunning { mock in
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vdm-stuck-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let json = dir + "/serve.jsonl"
            let stuck = Pipe()  // its read end stays open and is never read
            let served = try await ServedProcess(
                arguments: ["--log-json", json],
                env: ["OPENAI_API_KEY": "sk-stuck-console-0123456789abcdef", "OPENAI_BASE_URL": mock.baseURL + "/v1",
                      "ANTHROPIC_API_KEY": E2E.anthropicKey, "ANTHROPIC_BASE_URL": mock.baseURL,
                      "REQUEST_TIMEOUT": "30", "VDM_DEFAULT_PROVIDER": "openai", "LOG_SUMMARY_INTERVAL": "50",
                      SinkQueuePolicy.maxWaitVariable: String(Self.waitMillis),
                      // Small, so the pipe (64 KiB) and the buffer fill after a few hundred requests.
                      SinkQueuePolicy.bufferBytesVariable: "65536"],
                output: stuck.fileHandleForWriting)
            try stuck.fileHandleForWriting.close()  // the child holds its own copy

            var sent = 0
            var slowest: Duration = .zero
            var dropped = 0.0
            var sentAfterDrops = 0
            let deadline = ContinuousClock.now + .seconds(300)
            while sentAfterDrops < 200 {
                guard ContinuousClock.now < deadline else {
                    Issue.record("no console drop after \(sent) requests")
                    break
                }
                let batch = DemoWorkload.requests(count: 16)
                let started = ContinuousClock.now
                let (counts, unexpected) = try await DemoTraffic.send(batch, to: served.baseURL, concurrency: 16)
                slowest = max(slowest, ContinuousClock.now - started)
                #expect(unexpected.isEmpty, "\(unexpected)")
                #expect(counts.values.reduce(0, +) == batch.count)
                sent += batch.count
                if dropped > 0 {
                    sentAfterDrops += batch.count
                } else {
                    dropped = ServedProcess.sample(try await served.get("/metrics").text, #"vdm_log_records_dropped_total{sink="console"}"#) ?? 0
                }
            }
            // A batch of 16 concurrent requests is one round: each request in it waited at most the bound
            // once per burst of drops; the margin covers a loaded machine.
            #expect(slowest < Self.perRequestLimit, "slowest batch \(slowest)")
            let healthStarted = ContinuousClock.now
            let health = try await served.get("/health", timeout: .seconds(5))
            #expect(health.status == 200)
            #expect(ContinuousClock.now - healthStarted < Self.perRequestLimit)

            let metrics = try await served.get("/metrics").text
            #expect(metrics.contains("# HELP vdm_log_records_dropped_total "))
            #expect(metrics.contains("# TYPE vdm_log_records_dropped_total counter"))
            let consoleDrops = ServedProcess.sample(metrics, #"vdm_log_records_dropped_total{sink="console"}"#) ?? 0
            #expect(consoleDrops > 0)
            #expect(ServedProcess.sample(metrics, #"vdm_log_records_dropped_total{sink="json:\#(json)"}"#) == 0)
            let check = try await ExternalTool.run(try ExternalTool.require("promtool"), ["check", "metrics"], input: Array(metrics.utf8))
            #expect(check.status == 0, "\(check.stdout)\(check.stderr)")

            let status = try await served.stop()
            #expect(status == 0, "vdm serve did not exit cleanly on SIGTERM with a stuck console")

            // The JSON file has every record: no gap, no duplicate, every checkpoint verified, every request.
            let report = try SummariesVerifier.verify(paths: [json])
            #expect(report.isComplete, "\(report.text())")
            #expect(report.instances.count == 1)
            let log = try String(contentsOfFile: json, encoding: .utf8)
            let completed = log.split(separator: "\n").filter { $0.contains(#""event.action":"request.completed""#) }.count
            #expect(completed == sent)
            #expect(log.contains("Log output console is full: dropping records"))
            #expect(log.contains("Shutdown complete"))
        }
    }

    @Test func anOutOfRangeQueueSettingStopsStartupNamingTheVariable() async throws {
        for (variable, bad) in [(SinkQueuePolicy.maxWaitVariable, "20000"), (SinkQueuePolicy.bufferBytesVariable, "12")] {
            let output = FileManager.default.temporaryDirectory.appendingPathComponent("vdm-badqueue-\(UUID().uuidString).log").path
            defer { try? FileManager.default.removeItem(atPath: output) }
            let child = try ChildProcess.start(ServeProcessTests.binary, ["serve", "--port", "0"], env: ["OPENAI_API_KEY": "x", variable: bad], output: output)
            #expect(try await child.exitStatus(within: .seconds(60)) == 78, "\(variable)=\(bad)")
            let text = try String(contentsOfFile: output, encoding: .utf8)
            #expect(text.contains(variable), "\(text)")
        }
    }
}
