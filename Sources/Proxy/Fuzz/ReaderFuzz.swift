#if canImport(Glibc)
import Glibc
#endif
package import LogPipeline

/// Replay's reading path on arbitrary file contents: `RecordReader.read(path:)` (gzip sniffing,
/// format detection, `ChunkBuffer` framing, journal export fields) and `RecordParser` with every
/// accessor the analyzer calls. The bytes go through a real file, so nothing is bypassed.
package enum ReaderFuzz {
    /// What one input gave, for the corpus tests' checks.
    package struct Outcome: Equatable {
        package var stats: ReadStats
        package var records = 0
        package var problems: [InputProblemKind: Int] = [:]
    }

    /// Window sizes tried (picked by input length, so one input always reads the same way): tiny ones
    /// make lines and binary fields straddle refills.
    static let chunkSizes = [7, 64, 4096, 1 << 20]

    package static func run(_ data: [UInt8]) throws(FuzzViolation) -> Outcome {
        let scratch = ScratchFile()
        let path = try scratch.write(data)
        let reader = RecordReader(chunk: chunkSizes[data.count % chunkSizes.count])
        var consumer = Consumer()
        let stats: ReadStats
        do {
            stats = try reader.read(path: path, into: &consumer)
        } catch {
            throw FuzzViolation("the scratch file could not be opened: \(error)")
        }
        if let broken = consumer.broken { throw FuzzViolation(broken) }
        let outcome = Outcome(stats: stats, records: consumer.records, problems: consumer.problems)
        // Every line or entry counted is exactly one of: blank, record, problem (an unreadable input,
        // and bytes after the last gzip member, add one problem of their own beside the lines read).
        let unreadable = consumer.problems[.unreadableInput] ?? 0
        let garbage = consumer.problems[.trailingGarbage] ?? 0
        let accounted = consumer.records + consumer.problems.values.reduce(0, +) - unreadable - garbage + stats.blankLines
        guard accounted == stats.lines else {
            throw FuzzViolation("\(stats.lines) lines counted but \(accounted) accounted for (\(outcome))")
        }
        // (A binary journal field too long to skip ends the read, reported as a malformed entry.)
        let stopped = unreadable > 0 || consumer.problems[.malformedJournalEntry] != nil
        if !stats.compressed, !stopped, stats.bytes != data.count {
            throw FuzzViolation("read \(stats.bytes) of \(data.count) bytes without reporting why")
        }
        return outcome
    }

    /// Asks the parser everything the analyzer and `trace` ask, and checks the reader's locations.
    private struct Consumer: RecordConsumer {
        package var records = 0
        package var problems: [InputProblemKind: Int] = [:]
        var lastLine = 0
        var broken: String?

        package mutating func record(_ kind: RecordKind, _ parser: RecordParser, at location: SourceLocation) {
            records += 1
            check(location)
            switch kind {
            case .completed:
                if let metrics = try? parser.completedMetrics() { _ = RecordBounds.violation(in: metrics) }
            case .started: _ = try? parser.startedPayload()
            case .checkpoint: _ = try? parser.checkpointPayload()
            case .summaryLine, .plain, .unknownAction: break
            }
            for field in RecordField.allCases where parser.isPresent(field) {
                _ = try? parser.int(field)
                _ = try? parser.bool(field)
                _ = try? parser.string(field)
                _ = parser.withStringBytes(field) { $0.count }
            }
            _ = parser.messagePrefix(maxBytes: 64)
        }

        mutating func problem(_ problem: InputProblem) {
            problems[problem.kind, default: 0] += 1
            check(problem.location)
        }

        /// Locations are 1-based and never go back.
        private mutating func check(_ location: SourceLocation) {
            if location.line < 1 || location.line < lastLine {
                broken = broken ?? "location \(location) after line \(lastLine)"
            }
            lastLine = location.line
        }
    }
}

/// An unlinked temporary file holding one input, read back through `/proc/self/fd` (nothing is left
/// behind, and parallel runs cannot collide). Closed when released.
final class ScratchFile {
    private let fd: Int32

    init() {
        var template = Array("/tmp/vdm-fuzz-XXXXXX".utf8CString)
        fd = template.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return -1 }
            let opened = mkstemp(base)
            if opened >= 0 { unlink(base) }
            return opened
        }
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Writes `data`; returns a path that opens it.
    func write(_ data: [UInt8]) throws(FuzzViolation) -> String {
        guard fd >= 0 else { throw FuzzViolation("no scratch file (errno \(errno))") }
        let written = data.withUnsafeBytes { raw in raw.baseAddress.map { pwrite(fd, $0, raw.count, 0) } ?? 0 }
        guard written == data.count else { throw FuzzViolation("short scratch write (errno \(errno))") }
        return "/proc/self/fd/\(fd)"
    }
}
