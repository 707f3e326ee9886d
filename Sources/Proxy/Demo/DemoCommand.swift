import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import LogPipeline
import NIOCore

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Mock upstream + proxy on loopback, real mixed traffic, logs under ./logs, live totals, replay.")

    @Option(help: "Requests to send.") var requests = 120
    @Option(help: "Concurrent clients.") var concurrency = 8
    @Option(help: "Directory for the log files.") var logs = "logs"
    @Option(help: "A summary checkpoint every N completed requests (LOG_SUMMARY_INTERVAL).") var summaryInterval = 25
    @Option(help: "Log file names without extension (default: demo-<UTC time>).") var logName: String?
    @Option(name: .customLong("log-target"), help: "More log outputs, as vdm serve --log-target (e.g. journald); the JSON and console files are always written.")
    var logTarget: String?
    @Flag(help: "After the report, print the dashboard URL and keep serving until Ctrl-C (SIGINT or SIGTERM).") var serve = false

    func run() async throws {
        var demo = DemoRun(requests: requests, concurrency: concurrency, logDirectory: logs)
        demo.summaryInterval = summaryInterval
        demo.logName = logName
        demo.logTarget = logTarget
        demo.serve = serve
        let (report, passed) = try await demo.run { report, proxy in
            // Serving: the report now, then the URL, then wait for the signal. Unbuffered, so a
            // pipe or file sees the URL at once.
            FileHandle.standardOutput.write(Data((report + "\nDashboard: \(proxy.baseURL)/dashboard  (serving until Ctrl-C)\n").utf8))
        }
        if !serve { print(report, terminator: "") }
        if !passed { throw ExitCode.failure }
    }
}

/// One demo run; also used by the end-to-end tests and fixture generation.
struct DemoRun: Sendable {
    var requests: Int
    var concurrency: Int
    var logDirectory: String
    var summaryInterval = 25
    /// File names without extension; nil: `demo-<UTC time>`.
    var logName: String?
    /// Outputs besides the JSON and console files (`--log-target` syntax), e.g. `journald`.
    var logTarget: String?
    /// `--serve`: after the report, keep the proxy (and its dashboard) up until SIGINT/SIGTERM.
    var serve = false

    /// Fake keys, shaped like real ones so the redactor has something to hash in every output.
    static let openAIKey = "sk-demo-openai-0123456789abcdefghijklmnop"
    static let anthropicKey = "sk-ant-api03-demo-0123456789abcdefghijklmnop"
    /// Added to (and overriding) the demo's environment, e.g. `VDM_LOG_TARGET`, `VDM_LOG_ORIGIN`.
    var extraEnv: [String: String] = [:]
    /// Further sinks next to the JSON log and the console log (tests observe the records with them).
    var extraSinks: [any LogSink] = []

    struct Outcome: Sendable {
        var jsonLog: String
        var consoleLog: String
        var live: Live
        /// The JSON log replayed after the proxy stopped, compared with the live documents.
        var replay: DemoReplayCheck
        var liveYAML: String { live.yaml }
    }

    /// What the client and the live endpoints saw.
    struct Live: Sendable {
        var yaml: String
        var prometheus: String
        var statusCounts: [Int: Int]
        var unexpected: [String]
    }

    /// The printed report, and whether the replay equals the live totals. With `serve`, `serving` gets
    /// the report while the proxy still runs, and the proxy stops on SIGINT/SIGTERM after it returns.
    func run(serving: @escaping @Sendable (String, ProxyHandle) async throws -> Void = { _, _ in }) async throws -> (report: String, passed: Bool) {
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
    func execute(serving: @escaping @Sendable (Outcome, ProxyHandle) async throws -> Void = { _, _ in }) async throws -> Outcome {
        try FileManager.default.createDirectory(atPath: logDirectory, withIntermediateDirectories: true)
        let stamp = WallClock.iso8601(micros: WallClock.nowMicros()).prefix(19).replacingOccurrences(of: ":", with: "")
        let name = logName ?? "demo-\(stamp)"
        let jsonLog = "\(logDirectory)/\(name).jsonl"
        let consoleLog = "\(logDirectory)/\(name).log"
        let consoleSink = try ConsoleSink(destination: .file(consoleLog))
        let (serve, requests, concurrency) = (serve, requests, concurrency)
        let (live, servedOutcome) = try await MockUpstream.withRunning { mock in
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
            return try await ProxyRunner.withRunning(setup.server, stopOnSignals: serve) { proxy -> (Live, Outcome?) in
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
        }
        if let servedOutcome { return servedOutcome }
        let replay = try await DemoReplayCheck.run(jsonLog: jsonLog, liveYAML: live.yaml, livePrometheus: live.prometheus)
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

/// Sends requests over real HTTP with bounded concurrency and reads every response to the end.
enum DemoTraffic {
    static func send(_ requests: [DemoRequest], to baseURL: String, concurrency: Int, client: HTTPClient = .shared) async throws -> ([Int: Int], [String]) {
        var counts: [Int: Int] = [:]
        var unexpected: [String] = []
        try await withThrowingTaskGroup(of: (DemoRequest, Int).self) { group in
            var next = 0
            func submit() {
                guard next < requests.count else { return }
                let request = requests[next]
                next += 1
                group.addTask { (request, try await post(request, to: baseURL, client: client)) }
            }
            for _ in 0..<max(1, concurrency) { submit() }
            while let (request, status) = try await group.next() {
                counts[status, default: 0] += 1
                if status != request.expectedStatus { unexpected.append("\(request.label): \(status)") }
                submit()
            }
        }
        return (counts, unexpected)
    }

    static func post(_ request: DemoRequest, to baseURL: String, client: HTTPClient) async throws -> Int {
        var http = HTTPClientRequest(url: baseURL + "/v1/messages")
        http.method = .POST
        http.headers.add(name: "content-type", value: "application/json")
        http.headers.add(name: "anthropic-version", value: "2023-06-01")
        if let id = request.clientRequestID { http.headers.add(name: "x-request-id", value: id) }
        http.body = .bytes(ByteBuffer(bytes: request.body))
        let response = try await client.execute(http, timeout: .seconds(60))
        _ = try await response.body.collect(upTo: 16 << 20)
        return Int(response.status.code)
    }
}
