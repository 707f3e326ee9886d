import ArgumentParser
import Foundation
import VDMBench
import VDMProxy

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Micro-benchmarks of the hot paths (run a release build: swift run -c release vdm bench …).",
        subcommands: [LoggingBenchCommand.self, ProxyBenchCommand.self, GenerateLogsCommand.self, ReplayBenchCommand.self, ForwarderCommand.self]
    )
}

struct LoggingBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logging",
        abstract: "ns per record for the ECS JSON and console sinks, the redaction scan in MB/s, against swift-log's StreamLogHandler.")

    @Option(help: "Records per run.") var records = 200_000
    @Option(help: "Runs (the median is reported).") var runs = 7
    @Option(help: "Only the measures whose name contains this text (for profiling one of them).") var only: String?

    func run() throws {
        print(try LoggingBench.run(records: records, runs: runs, only: only), terminator: "")
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
    @Option(help: "Alternating direct/proxy rounds at the fixed rate (the report takes medians over them).") var rounds = 3
    @Flag(help: "Streamed (SSE) replies: adds time to first byte and the cost per upstream event.") var stream = false

    func run() async throws {
        do {
            try EventLoopSetup.install(env: ProcessInfo.processInfo.environment)
        } catch {
            throw ValidationError("configuration error: \(error)")
        }
        print(try await ProxyBench.run(rate: rate, seconds: seconds, concurrency: concurrency, rounds: rounds, logDirectory: logs, stream: stream), terminator: "")
    }
}

/// The bare-stack forwarder `vdm bench proxy` starts as its floor (see `NullForwarder`).
struct ForwarderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forwarder",
        abstract: "Bare Hummingbird + AsyncHTTPClient forwarder: the floor vdm bench proxy measures vdm against.",
        shouldDisplay: false)

    @Option(help: "Port.") var port: Int
    @Option(help: "Upstream URL every POST /forward body goes to.") var upstream: String

    func run() async throws {
        do {
            try EventLoopSetup.install(env: ProcessInfo.processInfo.environment)
        } catch {
            throw ValidationError("configuration error: \(error)")
        }
        try await NullForwarder.run(host: "127.0.0.1", port: port, upstream: upstream)
    }
}

struct GenerateLogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gen-logs",
        abstract: "Write a realistic ECS JSON log (several instances, checkpoints, library lines) for the replay benchmark.")

    @Option(help: "Approximate size: 1G, 512M, 64K or bytes.") var size = "1G"
    @Option(help: "Output file (keep it out of the repository, e.g. /tmp).") var out: String
    @Option(help: "Process lifetimes (service.node.name values) one after another.") var instances = 4
    @Option(help: "Seed (same seed, same file).") var seed: UInt64 = 1

    func run() throws {
        guard let bytes = LogGenerator.parseSize(size) else { throw ValidationError("bad --size \(size)") }
        let records = try LogGenerator.generate(bytes: bytes, path: out, instances: instances, seed: seed)
        print("wrote \(records) records to \(out)")
    }
}

struct ReplayBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay throughput in MB/s (medians), on one core and on all (scripts/bench-replay adds jq and peak RSS).")

    @Argument(help: "Log files.") var files: [String]
    @Option(help: "Runs (the median is reported).") var runs = 3

    func run() async throws {
        print(try await ReplayBench.run(paths: files, runs: runs), terminator: "")
    }
}
