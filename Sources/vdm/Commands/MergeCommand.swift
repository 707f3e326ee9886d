import ArgumentParser
import LogPipeline

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
    @Flag(help: "Also one totals document per service.node.name.") var byInstance = false
    @Option(help: "Write the merged state to this file.") var state: String?
    @Flag(help: "Exit 1 when any input was not used, or a request never completed.") var strict = false
    @Flag(help: "Render the totals despite conflicting records (the first by file name and line counts).") var force = false
    @Flag(name: .shortAndLong, help: "No report on stderr.") var quiet = false

    func run() throws {
        let merged: ReplayState
        do {
            merged = try ReplayOutput.merge(statePaths: states)
        } catch {
            throw AnalyzerIO.fail("merge", error)
        }
        let filter = TotalsFilter(provider: provider, model: model)
        try AnalyzerOutput.finish(merged, command: "merge", statePath: state, strict: strict, force: force, quiet: quiet) { () throws(SumError) in
            try ReplayOutput.document(merged, format: format.format, filter: filter, byInstance: byInstance, generatedMicros: WallClock.nowMicros())
        }
    }
}
