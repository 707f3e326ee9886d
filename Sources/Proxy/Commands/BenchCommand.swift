import ArgumentParser

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Micro-benchmarks of the hot paths (run a release build: swift run -c release vdm bench …).",
        subcommands: [LoggingBenchCommand.self, ProxyBenchCommand.self]
    )
}

struct LoggingBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logging",
        abstract: "ns per record for the ECS JSON and console sinks, the redaction scan in MB/s, against swift-log's StreamLogHandler.")

    @Option(help: "Records per run.") var records = 200_000
    @Option(help: "Runs (the median is reported).") var runs = 7

    func run() throws {
        print(try LoggingBench.run(records: records, runs: runs), terminator: "")
    }
}

struct ProxyBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proxy",
        abstract: "Latency added by the proxy (p50, p99) against calling the mock directly, at a fixed rate and at saturation.")

    @Option(help: "Requests per second in the fixed-rate phases.") var rate = 1_000
    @Option(help: "Seconds per phase.") var seconds = 10
    @Option(help: "Concurrent connections in the saturation phases.") var concurrency = 64
    @Option(help: "Where the proxy's logs go.") var logs = "/tmp/vdm-bench"

    func run() async throws {
        print(try await ProxyBench.run(rate: rate, seconds: seconds, concurrency: concurrency, logDirectory: logs), terminator: "")
    }
}
