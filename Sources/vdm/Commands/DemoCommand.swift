import ArgumentParser
import Foundation
import VDMProxy
import VDMDemo

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
