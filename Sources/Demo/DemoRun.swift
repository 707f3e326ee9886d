import AsyncHTTPClient
import Foundation
import Logging
package import LogPipeline
import MockUpstream
import NIOCore
package import VDMProxy

/// One demo run; also used by the end-to-end tests and fixture generation.
package struct DemoRun: Sendable {
    package var requests: Int
    package var concurrency: Int
    package var logDirectory: String
    package var summaryInterval = 25
    /// File names without extension; nil: `demo-<UTC time>`.
    package var logName: String?
    /// Outputs besides the JSON and console files (`--log-target` syntax), e.g. `journald`.
    package var logTarget: String?
    /// `--serve`: after the report, keep the proxy (and its dashboard) up until SIGINT/SIGTERM.
    package var serve = false

    /// Fake keys, shaped like real ones so the redactor has something to hash in every output.
    package static let openAIKey = "sk-demo-openai-0123456789abcdefghijklmnop"
    package static let anthropicKey = "sk-ant-api03-demo-0123456789abcdefghijklmnop"
    /// Added to (and overriding) the demo's environment, e.g. `VDM_LOG_TARGET`, `VDM_LOG_ORIGIN`.
    package var extraEnv: [String: String] = [:]
    /// Further sinks next to the JSON log and the console log (tests observe the records with them).
    package var extraSinks: [any LogSink] = []

    package init(requests: Int, concurrency: Int, logDirectory: String, summaryInterval: Int = 25, logName: String? = nil,
                 logTarget: String? = nil, extraEnv: [String: String] = [:], extraSinks: [any LogSink] = []) {
        self.requests = requests
        self.concurrency = concurrency
        self.logDirectory = logDirectory
        self.summaryInterval = summaryInterval
        self.logName = logName
        self.logTarget = logTarget
        self.extraEnv = extraEnv
        self.extraSinks = extraSinks
    }

    package struct Outcome: Sendable {
        package var jsonLog: String
        package var consoleLog: String
        package var live: Live
        /// The JSON log replayed after the proxy stopped, compared with the live documents.
        package var replay: DemoReplayCheck
        package var liveYAML: String { live.yaml }
    }

    /// What the client and the live endpoints saw.
    package struct Live: Sendable {
        package var yaml: String
        package var prometheus: String
        package var statusCounts: [Int: Int]
        package var unexpected: [String]
    }

    /// The printed report, and whether the replay equals the live totals. With `serve`, `serving` gets
    /// the report while the proxy still runs, and the proxy stops on SIGINT/SIGTERM after it returns.
    package func run(serving: @escaping @Sendable (String, ProxyHandle) async throws -> Void = { _, _ in }) async throws -> (report: String, passed: Bool) {
        let outcome = try await execute(serving: { outcome, proxy in try await serving(Self.report(outcome, self), proxy) })
        return (Self.report(outcome, self), outcome.replay.passed)
    }

    static func report(_ outcome: Outcome, _ demo: DemoRun) -> String {
        var out = "vdm demo: \(demo.requests) requests (\(demo.concurrency) concurrent) through the proxy to the mock upstream\n"
        out += "  responses by status: " + outcome.live.statusCounts.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: ", ") + "\n"
        if !outcome.live.unexpected.isEmpty {
            out += "  UNEXPECTED: " + outcome.live.unexpected.joined(separator: "; ") + "\n"
        }
        out += "  ECS JSON log: \(outcome.jsonLog)\n  console log:  \(outcome.consoleLog)\n\n"
        out += "Live running totals (GET /metrics/running-totals?include_active=false):\n\n" + outcome.liveYAML
        out += "\n" + outcome.replay.text
        return out
    }

    /// `serving` runs only with `serve`: after the replay check, with the proxy still up; then the
    /// demo waits for SIGINT/SIGTERM and stops the proxy gracefully.
    package func execute(serving: @escaping @Sendable (Outcome, ProxyHandle) async throws -> Void = { _, _ in }) async throws -> Outcome {
        try FileManager.default.createDirectory(atPath: logDirectory, withIntermediateDirectories: true)
        let stamp = WallClock.iso8601(micros: WallClock.nowMicros()).prefix(19).replacingOccurrences(of: ":", with: "")
        let name = logName ?? "demo-\(stamp)"
        let jsonLog = "\(logDirectory)/\(name).jsonl"
        let consoleLog = "\(logDirectory)/\(name).log"
        let consoleSink = try ConsoleSink(destination: .file(consoleLog))
        let (serve, requests, concurrency) = (serve, requests, concurrency)
        let (live, servedOutcome, logs) = try await MockUpstream.withRunning { mock -> (Live, Outcome?, LogSetup) in
            let env = [
                "OPENAI_API_KEY": Self.openAIKey,
                "OPENAI_BASE_URL": mock.baseURL + "/v1",
                "ANTHROPIC_API_KEY": Self.anthropicKey,
                "ANTHROPIC_BASE_URL": mock.baseURL,
                "VDM_DEFAULT_PROVIDER": "openai",
                "LOG_SUMMARY_INTERVAL": String(summaryInterval),
                "REQUEST_TIMEOUT": "10",
            ].merging(extraEnv) { _, extra in extra }
            let setup = try ServeSetup.make(env: env, host: "127.0.0.1", port: 0, logJSON: jsonLog, console: false,
                                            logTarget: logTarget, extraSinks: [consoleSink] + extraSinks)
            // Returns when the proxy has stopped and flushed every log output.
            let (live, served) = try await ProxyRunner.withRunning(setup.server, stopOnSignals: serve) { proxy -> (Live, Outcome?) in
                setup.printBanner(port: proxy.port)
                let (counts, unexpected) = try await DemoTraffic.send(DemoWorkload.requests(count: requests), to: proxy.baseURL, concurrency: concurrency)
                // A client has its last byte a moment before the proxy logs the completion.
                try await Self.waitUntilIdle(proxy.tracker)
                // The live endpoints themselves, over HTTP, as an operator would read them.
                let yaml = try await Self.get(proxy.baseURL + "/metrics/running-totals?include_active=false")
                let prometheus = try await Self.get(proxy.baseURL + "/metrics")
                let live = Live(yaml: yaml, prometheus: prometheus, statusCounts: counts, unexpected: unexpected)
                guard serve else { return (live, nil) }
                // The replay reads the log while the proxy keeps serving: everything so far is flushed.
                setup.logs.flush()
                let replay = try await DemoReplayCheck.run(jsonLog: jsonLog, liveYAML: live.yaml, livePrometheus: live.prometheus)
                let outcome = Outcome(jsonLog: jsonLog, consoleLog: consoleLog, live: live, replay: replay)
                try await serving(outcome, proxy)
                await proxy.untilStopped()
                return (live, outcome)
            }
            return (live, served, setup.logs)
        }
        if let servedOutcome {
            logs.close()
            return servedOutcome
        }
        let replay = try await DemoReplayCheck.run(jsonLog: jsonLog, liveYAML: live.yaml, livePrometheus: live.prometheus)
        // After the check, so a record from a task that outlived the server has landed: release the
        // sinks' threads and files.
        logs.close()
        return Outcome(jsonLog: jsonLog, consoleLog: consoleLog, live: live, replay: replay)
    }

    private static func get(_ url: String) async throws -> String {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        return String(buffer: try await response.body.collect(upTo: 16 << 20))
    }

    private static func waitUntilIdle(_ tracker: RequestTracker, timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        while await tracker.activeCount > 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
