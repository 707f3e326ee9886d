import ArgumentParser
import Foundation
import LogPipeline

enum AnalyzerOutput {
    /// Writes the state file if asked, the rendered document to stdout, the report to stderr; the
    /// exit status. Refuses to render (exit 1) on a conflict without `force`, on a conflict partial
    /// states cannot settle, and when the totals cannot be summed within their bound.
    static func finish(_ result: ReplayState, command: String, statePath: String?, strict: Bool, force: Bool, quiet: Bool,
                       render: () throws(SumError) -> String) throws {
        if let statePath {
            do {
                try ReplayOutput.encode(result).write(to: URL(fileURLWithPath: statePath))
            } catch {
                AnalyzerIO.standardError("vdm \(command): cannot write \(statePath): \(error.localizedDescription)\n")
                throw ExitCode.failure
            }
        }
        if !quiet { AnalyzerIO.standardError(ReplayReport.text(result)) }
        if result.unresolvedConflicts > 0 {
            AnalyzerIO.standardError("vdm \(command): \(result.unresolvedConflicts) conflict(s) cannot be settled exactly from these partial states; replay those inputs together in one run\n")
            throw AnalyzerExit.findings
        }
        if result.conflicts > 0 && !force {
            AnalyzerIO.standardError("vdm \(command): \(result.conflicts) conflicting record(s) (see above); no totals rendered. --force counts the first copy of each by file name and line\n")
            throw AnalyzerExit.findings
        }
        let document: String
        do throws(SumError) {
            document = try render()
        } catch {
            AnalyzerIO.standardError("vdm \(command): the totals cannot be summed: \(error)\n")
            throw AnalyzerExit.findings
        }
        AnalyzerIO.standardOutput(document)
        if strict && (!result.problems.isEmpty || result.looseEnds.count > 0) { throw AnalyzerExit.findings }
    }
}
