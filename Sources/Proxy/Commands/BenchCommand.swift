import ArgumentParser

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Micro-benchmarks of the hot paths (run a release build: swift run -c release vdm bench …).",
        subcommands: [LoggingBenchCommand.self]
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
