import ArgumentParser
import LogPipeline
import VDMProxy

/// `vdm summaries`: proves a log complete from its checkpoints and sequence numbers, or names the gap.
struct SummariesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summaries",
        abstract: "Verify every summary checkpoint against the records below it; report sequence gaps and duplicates.",
        discussion: """
            Per service.node.name: sequence gaps (ranges) and duplicates, checkpoints verified, and the first \
            checkpoint that disagrees with the recomputed totals (field by field). Exit status: 0 when every \
            instance is complete; 1 when a gap, duplicate, unreadable record of ours or disagreeing checkpoint \
            is found; 66 when an input cannot be opened.
            """)

    @Argument(help: "Log files; - reads stdin.") var files: [String] = []
    @Flag(help: "JSON instead of text.") var json = false
    @Flag(help: "Read the journal (entries of vandamme-proxy) instead of files.") var journal = false
    @Option(help: "With --journal: read the journal files in this directory (journalctl --directory).") var directory: String?

    func validate() throws {
        if journal == !files.isEmpty { throw ValidationError("give log files (- for stdin), or --journal (optionally with --directory), not both") }
        if directory != nil && !journal { throw ValidationError("--directory goes with --journal") }
    }

    func run() throws {
        let result: SummariesResult
        if journal {
            do {
                result = try JournalReplay.summaries(source: directory.map { .directory($0) } ?? .local)
            } catch {
                AnalyzerIO.standardError("vdm summaries: \(error)\n")
                throw ExitCode(66)
            }
        } else {
            do {
                result = try SummariesVerifier.verify(paths: files)
            } catch {
                throw AnalyzerIO.fail("summaries", error)
            }
        }
        AnalyzerIO.standardOutput(json ? result.json() : result.text())
        if !result.isComplete { throw AnalyzerExit.findings }
    }
}
