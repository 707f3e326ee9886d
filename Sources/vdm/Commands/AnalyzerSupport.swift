import ArgumentParser
import Foundation
import LogPipeline
import Synchronization

/// `--format`: any `TotalsFormat` (a format added there is accepted here with no change).
struct FormatArgument: ExpressibleByArgument {
    let format: TotalsFormat

    init(_ format: TotalsFormat) { self.format = format }

    init?(argument: String) {
        guard let format = TotalsFormat(rawValue: argument) else { return nil }
        self.format = format
    }

    var defaultValueDescription: String { format.rawValue }
    static var allValueStrings: [String] { TotalsFormat.allCases.map(\.rawValue) }
}

/// `vdm replay --format`: the totals formats, plus Prometheus text. Only replay offers Prometheus: its
/// histograms need every request, which the aggregated states `vdm merge` reads no longer hold.
enum ReplayFormat: ExpressibleByArgument, Equatable {
    case totals(TotalsFormat)
    case prometheus

    static let prometheusName = "prometheus"

    init?(argument: String) {
        if argument == Self.prometheusName {
            self = .prometheus
        } else if let format = TotalsFormat(rawValue: argument) {
            self = .totals(format)
        } else {
            return nil
        }
    }

    var defaultValueDescription: String {
        switch self {
        case .totals(let format): format.rawValue
        case .prometheus: Self.prometheusName
        }
    }

    static var allValueStrings: [String] { TotalsFormat.allCases.map(\.rawValue) + [prometheusName] }
}

/// Exit statuses of the analyzer commands (documented in docs/analyzer.md).
enum AnalyzerExit {
    /// Findings: unused input with --strict, a gap or disagreement (summaries), no unique match (trace).
    static let findings = ExitCode(1)
    /// An input could not be opened or read (sysexits EX_NOINPUT).
    static let noInput = ExitCode(66)
    /// Replay's temporary file could not be written or read back (sysexits EX_IOERR).
    static let ioError = ExitCode(74)
}

enum AnalyzerIO {
    static func standardError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    static func standardOutput(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// Prints an input error the way every analyzer command does, and gives the exit status.
    static func fail(_ command: String, _ error: InputError) -> ExitCode {
        standardError("vdm \(command): \(error)\n")
        return error.spill ? AnalyzerExit.ioError : AnalyzerExit.noInput
    }

    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }
}

/// Shows a progress bar on stderr while `work` runs, when stderr is a terminal and the regular
/// files to read total at least `threshold` bytes.
func withProgress<T: Sendable>(paths: [String], threshold: Int = ProgressLine.defaultThreshold,
                               _ work: @Sendable (ProgressCounter?) async throws -> T) async throws -> T {
    let total = ProgressLine.totalSize(paths)
    guard AnalyzerIO.stderrIsTerminal, total >= threshold else { return try await work(nil) }
    let counter = ProgressCounter()
    let ticker = ProgressTicker(line: ProgressLine(total: total), counter: counter)
    defer { ticker.stop() }
    return try await work(counter)
}

/// Redraws the progress line from its own thread: the readers block the concurrency pool's
/// threads (one per core) while they parse, so a Task would not get to run.
final class ProgressTicker: Sendable {
    private let stopped = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)

    init(line: ProgressLine, counter: ProgressCounter) {
        let thread = Thread { [self] in
            while !stopped.load(ordering: .relaxed) {
                AnalyzerIO.standardError(line.render(done: counter.value))
                Thread.sleep(forTimeInterval: ProgressLine.interval)
            }
            AnalyzerIO.standardError("\r" + String(repeating: " ", count: 80) + "\r")
            finished.signal()
        }
        thread.name = "vdm-progress"
        thread.start()
    }

    /// Stops the thread and waits until it has cleared the line.
    func stop() {
        stopped.store(true, ordering: .relaxed)
        finished.wait()
    }
}
