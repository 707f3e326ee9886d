import ArgumentParser
import LogPipeline
import VDMProxy

/// `vdm trace`: every record of one request, by correlation id prefix.
struct TraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Show every record of one request (by http.request.id prefix) with its timeline.",
        discussion: "Exit status: 0 when exactly one request matches; 1 when none or several do (the candidates are listed); 66 when an input cannot be opened.")

    @Argument(help: "The correlation id or its prefix (the console shows the first 8 characters).") var prefix: String
    @Argument(help: "Log files; - reads stdin.") var files: [String] = []
    @Flag(help: "JSON instead of text.") var json = false
    @Flag(help: "Read the journal (entries of vandamme-proxy) instead of files.") var journal = false
    @Option(help: "With --journal: read the journal files in this directory (journalctl --directory).") var directory: String?

    func validate() throws {
        if journal == !files.isEmpty { throw ValidationError("give log files, or --journal (optionally with --directory), not both") }
        if directory != nil && !journal { throw ValidationError("--directory goes with --journal") }
    }

    func run() throws {
        let result: TraceResult
        if journal {
            do {
                result = try JournalTrace.trace(prefix: prefix, source: directory.map { .directory($0) } ?? .local)
            } catch {
                AnalyzerIO.standardError("vdm trace: \(error)\n")
                throw AnalyzerExit.noInput
            }
        } else {
            do {
                result = try TraceCollector.trace(prefix: prefix, paths: files)
            } catch {
                throw AnalyzerIO.fail("trace", error)
            }
        }
        AnalyzerIO.standardOutput(json ? result.json() : result.text())
        if result.exitCode != 0 { throw ExitCode(result.exitCode) }
    }
}
