import ArgumentParser
import Foundation
import Journald
import LogPipeline
import VDMProxy

/// `vdm replay`: rebuilds the running totals from log records, exactly as the live endpoint shows
/// them with `include_active=false`. The logic lives in LogPipeline (`Replay`); this is the CLI.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Rebuild the running totals (or /metrics' request families) from log files (ECS JSON lines, journalctl -o json/-o export, .gz; - for stdin).",
        discussion: """
            The totals go to stdout; what was read, used and not (with file:line) and requests that never \
            completed go to stderr. Each (service.node.name, event.sequence) counts once: an identical \
            repeat is dropped and reported; a different record under the same pair is a conflict, and \
            replay then refuses (no totals, exit 1) unless --force, which counts the first by file name \
            and line. Exit status: 0, even with bad lines unless --strict; 1 with --strict when anything \
            was not used, or on a conflict without --force, or when the totals cannot be summed; 66 when \
            an input cannot be opened.
            """)

    @Argument(help: "Log files; - (or nothing) reads stdin.") var files: [String] = []
    @Option(help: "Output format (prometheus: the /metrics families built from completed requests).") var format = ReplayFormat.totals(.yaml)
    @Option(help: "Only providers matching this wildcard (* and ?, case-insensitive).") var provider: String?
    @Option(help: "Only models matching this wildcard.") var model: String?
    @Flag(help: "Also one totals document per service.node.name.") var byInstance = false
    @Option(help: "Write the mergeable partial state (for vdm merge) to this file.") var state: String?
    @Flag(help: "Exit 1 when any line or record was not used, or a request never completed.") var strict = false
    @Flag(help: "Render the totals despite conflicting records (the first by file name and line counts).") var force = false
    @Flag(name: .shortAndLong, help: "No report on stderr.") var quiet = false
    @Option(name: .shortAndLong, help: "Tasks reading at once: files, and chunks of large JSON-lines files (default: the number of cores). The output does not depend on it.") var jobs: Int?
    @Option(help: ArgumentHelp("Split JSON-lines files into chunks of about this many bytes (tests).", visibility: .hidden)) var chunkBytes: Int?
    @Option(help: ArgumentHelp("Show the progress line from this many bytes of input on (tests).", visibility: .hidden)) var progressThreshold: Int?
    @Flag(help: "Read the journal (entries of vandamme-proxy) instead of files.") var journal = false
    @Option(help: "With --journal: read the journal files in this directory (journalctl --directory).") var directory: String?
    @Option(help: "With --journal: entries from this time on (YYYY-MM-DD[ HH:MM[:SS]] local, ISO 8601, @SECONDS).") var since: String?
    @Option(help: "With --journal: entries up to this time.") var until: String?

    func validate() throws {
        if format == .prometheus && byInstance {
            throw ValidationError("--by-instance has no Prometheus form (an exposition is one set of series)")
        }
        if journal && !files.isEmpty { throw ValidationError("give log files, or --journal (optionally with --directory), not both") }
        if !journal && (directory != nil || since != nil || until != nil) {
            throw ValidationError("--directory, --since and --until go with --journal")
        }
        if let jobs, !Self.jobsRange.contains(jobs) { throw ValidationError("--jobs must be in \(Self.jobsRange)") }
        if let chunkBytes, !FileChunk.chunkBytesRange.contains(chunkBytes) {
            throw ValidationError("--chunk-bytes must be in \(FileChunk.chunkBytesRange)")
        }
        if let progressThreshold, progressThreshold < 0 { throw ValidationError("--progress-threshold must be 0 or more") }
        _ = try JournalTime.parse(since, option: "--since")
        _ = try JournalTime.parse(until, option: "--until")
    }

    /// More tasks than this only adds partial states to merge.
    static let jobsRange = 1...256

    func run() async throws {
        let filter = TotalsFilter(provider: provider, model: model)
        // One pass feeds both the totals and, for Prometheus, the live endpoint's exporter.
        let exporter = format == .prometheus ? ReplayExposition.makeExporter() : nil
        let observer = exporter.map { ReplayExposition.observer(feeding: $0, filter: filter) }
        let result = journal ? try replayJournal(observer) : try await replayFiles(observer)
        try AnalyzerOutput.finish(result, command: "replay", statePath: state, strict: strict, force: force, quiet: quiet) { () throws(SumError) in
            switch format {
            case .totals(let totalsFormat):
                try ReplayOutput.document(result, format: totalsFormat, filter: filter, byInstance: byInstance, generatedMicros: WallClock.nowMicros())
            case .prometheus:
                exporter?.exposition ?? ""
            }
        }
    }

    private func replayFiles(_ observer: Replay.CompletionObserver?) async throws -> ReplayState {
        let paths = files.isEmpty ? ["-"] : files
        let parallelism = jobs ?? Replay.processorCount
        do {
            return try await withProgress(paths: paths, threshold: progressThreshold ?? ProgressLine.defaultThreshold) { progress in
                try await Replay.run(paths: paths, parallelism: parallelism, chunkBytes: chunkBytes, progress: progress, onCompleted: observer)
            }
        } catch let error as InputError {
            throw AnalyzerIO.fail("replay", error)
        }
    }

    private func replayJournal(_ observer: Replay.CompletionObserver?) throws -> ReplayState {
        do {
            return try JournalReplay.state(source: directory.map { .directory($0) } ?? .local,
                                           since: try JournalTime.parse(since, option: "--since"),
                                           until: try JournalTime.parse(until, option: "--until"), onCompleted: observer)
        } catch let error as JournalReaderError {
            AnalyzerIO.standardError("vdm replay: \(error)\n")
            throw ExitCode(66)
        }
    }
}
