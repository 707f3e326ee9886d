import ArgumentParser
import Foundation
import LogPipeline

/// `vdm replay`: rebuilds the running totals from log records, exactly as the live endpoint shows
/// them with `include_active=false`. The logic lives in LogPipeline (`Replay`); this is the CLI.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Rebuild the running totals (or /metrics' request families) from log files (ECS JSON lines, journalctl -o json/-o export, .gz; - for stdin).",
        discussion: """
            The totals go to stdout; what was read, used and not (with file:line) and requests that never \
            completed go to stderr. Exit status: 0, even with bad lines unless --strict; 1 with --strict when \
            anything was not used; 66 when an input cannot be opened.
            """)

    @Argument(help: "Log files; - (or nothing) reads stdin.") var files: [String] = []
    @Option(help: "Output format (prometheus: the /metrics families built from completed requests).") var format = ReplayFormat.totals(.yaml)
    @Option(help: "Only providers matching this wildcard (* and ?, case-insensitive).") var provider: String?
    @Option(help: "Only models matching this wildcard.") var model: String?
    @Flag(help: "Also one totals document per service.instance.id.") var byInstance = false
    @Option(help: "Write the mergeable partial state (for vdm merge) to this file.") var state: String?
    @Flag(help: "Exit 1 when any line or record was not used, or a request never completed.") var strict = false
    @Flag(name: .shortAndLong, help: "No report on stderr.") var quiet = false
    @Option(help: "Files read at once (default: the number of cores).") var jobs: Int?

    func validate() throws {
        if format == .prometheus && byInstance {
            throw ValidationError("--by-instance has no Prometheus form (an exposition is one set of series)")
        }
    }

    func run() async throws {
        let paths = files.isEmpty ? ["-"] : files
        let parallelism = jobs ?? Replay.processorCount
        let filter = TotalsFilter(provider: provider, model: model)
        let result: ReplayState
        let document: String
        do {
            switch format {
            case .totals(let totalsFormat):
                result = try await withProgress(paths: paths) { progress in
                    try await Replay.run(paths: paths, parallelism: parallelism, progress: progress)
                }
                document = ReplayOutput.document(result, format: totalsFormat, filter: filter, byInstance: byInstance,
                                                 generatedMicros: WallClock.nowMicros())
            case .prometheus:
                (result, document) = try await withProgress(paths: paths) { progress in
                    try await ReplayExposition.run(paths: paths, filter: filter, parallelism: parallelism, progress: progress)
                }
            }
        } catch let error as InputError {
            throw AnalyzerIO.fail("replay", error)
        }
        try AnalyzerOutput.finish(result, command: "replay", document: document, statePath: state, strict: strict, quiet: quiet)
    }
}

/// `vdm merge`: combines `--state` files of several replays into one result.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge partial replay states (vdm replay --state) and render the totals.",
        discussion: "Same output and exit status as vdm replay.")

    @Argument(help: "State files written by vdm replay --state.") var states: [String]
    @Option(help: "Output format.") var format = FormatArgument(.yaml)
    @Option(help: "Only providers matching this wildcard.") var provider: String?
    @Option(help: "Only models matching this wildcard.") var model: String?
    @Flag(help: "Also one totals document per service.instance.id.") var byInstance = false
    @Option(help: "Write the merged state to this file.") var state: String?
    @Flag(help: "Exit 1 when any input was not used, or a request never completed.") var strict = false
    @Flag(name: .shortAndLong, help: "No report on stderr.") var quiet = false

    func run() throws {
        let merged: ReplayState
        do {
            merged = try ReplayOutput.merge(statePaths: states)
        } catch {
            throw AnalyzerIO.fail("merge", error)
        }
        let document = ReplayOutput.document(merged, format: format.format, filter: TotalsFilter(provider: provider, model: model),
                                             byInstance: byInstance, generatedMicros: WallClock.nowMicros())
        try AnalyzerOutput.finish(merged, command: "merge", document: document, statePath: state, strict: strict, quiet: quiet)
    }
}

enum AnalyzerOutput {
    /// Writes the state file if asked, `document` to stdout, the report to stderr; the exit status.
    static func finish(_ result: ReplayState, command: String, document: String, statePath: String?, strict: Bool, quiet: Bool) throws {
        if let statePath {
            do {
                try ReplayOutput.encode(result).write(to: URL(fileURLWithPath: statePath))
            } catch {
                AnalyzerIO.standardError("vdm \(command): cannot write \(statePath): \(error.localizedDescription)\n")
                throw ExitCode.failure
            }
        }
        AnalyzerIO.standardOutput(document)
        if !quiet { AnalyzerIO.standardError(ReplayReport.text(result)) }
        if strict && (!result.problems.isEmpty || result.looseEnds.count > 0) { throw AnalyzerExit.findings }
    }
}
