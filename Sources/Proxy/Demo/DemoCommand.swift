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

    func run() async throws {
        let report = try await DemoRun(requests: requests, concurrency: concurrency, logDirectory: logs).run()
        print(report, terminator: "")
    }
}

/// One demo run; also used by the end-to-end tests and fixture generation.
struct DemoRun: Sendable {
    var requests: Int
    var concurrency: Int
    var logDirectory: String
    var summaryInterval = 25
    /// Added to (and overriding) the demo's environment, e.g. `VDM_LOG_TARGET`, `VDM_LOG_ORIGIN`.
    var extraEnv: [String: String] = [:]
    /// Further sinks next to the JSON log and the console log (tests observe the records with them).
    var extraSinks: [any LogSink] = []

    struct Outcome: Sendable {
        var jsonLog: String
        var consoleLog: String
        var liveYAML: String
        var statusCounts: [Int: Int]
        var unexpected: [String]
    }

    func run() async throws -> String {
        let outcome = try await execute()
        var out = "vdm demo: \(requests) requests (\(concurrency) concurrent) through the proxy to the mock upstream\n"
        out += "  responses by status: " + outcome.statusCounts.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: ", ") + "\n"
        if !outcome.unexpected.isEmpty {
            out += "  UNEXPECTED: " + outcome.unexpected.joined(separator: "; ") + "\n"
        }
        out += "  ECS JSON log: \(outcome.jsonLog)\n  console log:  \(outcome.consoleLog)\n\n"
        out += "Live running totals (GET /metrics/running-totals?include_active=false):\n\n" + outcome.liveYAML
        out += "\nRebuild them from the log alone: vdm replay \(outcome.jsonLog)\n"
        return out
    }

    func execute() async throws -> Outcome {
        try FileManager.default.createDirectory(atPath: logDirectory, withIntermediateDirectories: true)
        let stamp = WallClock.iso8601(micros: WallClock.nowMicros()).prefix(19).replacingOccurrences(of: ":", with: "")
        let jsonLog = "\(logDirectory)/demo-\(stamp).jsonl"
        let consoleLog = "\(logDirectory)/demo-\(stamp).log"
        let consoleSink = try ConsoleSink(destination: .file(consoleLog))
        return try await MockUpstream.withRunning { mock in
            let env = [
                "OPENAI_API_KEY": "sk-demo-openai-0123456789abcdefghijklmnop",
                "OPENAI_BASE_URL": mock.baseURL + "/v1",
                "ANTHROPIC_API_KEY": "sk-ant-api03-demo-0123456789abcdefghijklmnop",
                "ANTHROPIC_BASE_URL": mock.baseURL,
                "VDM_DEFAULT_PROVIDER": "openai",
                "LOG_SUMMARY_INTERVAL": String(summaryInterval),
                "REQUEST_TIMEOUT": "10",
            ].merging(extraEnv) { _, extra in extra }
            let setup = try ServeSetup.make(env: env, host: "127.0.0.1", port: 0, logJSON: jsonLog, console: false, extraSinks: [consoleSink] + extraSinks)
            return try await ProxyRunner.withRunning(setup.server) { proxy in
                setup.printBanner(port: proxy.port)
                let (counts, unexpected) = try await DemoTraffic.send(DemoWorkload.requests(count: requests), to: proxy.baseURL, concurrency: concurrency)
                // The live endpoint itself, over HTTP, as an operator would read it.
                let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: proxy.baseURL + "/metrics/running-totals?include_active=false"), timeout: .seconds(10))
                let yaml = String(buffer: try await response.body.collect(upTo: 16 << 20))
                return Outcome(jsonLog: jsonLog, consoleLog: consoleLog, liveYAML: yaml, statusCounts: counts, unexpected: unexpected)
            }
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
        http.body = .bytes(ByteBuffer(bytes: request.body))
        let response = try await client.execute(http, timeout: .seconds(60))
        _ = try await response.body.collect(upTo: 16 << 20)
        return Int(response.status.code)
    }
}
