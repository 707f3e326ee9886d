/// Receives what the reader finds, in input order.
public protocol RecordConsumer {
    /// A vdm record with a valid envelope; ask `parser` for its fields (valid until this returns).
    mutating func record(_ kind: RecordKind, _ parser: RecordParser, at location: SourceLocation)
    /// A line or entry that could not be used.
    mutating func problem(_ problem: InputProblem)
}

/// How an input was framed (detected per file from its first bytes).
public enum InputFormat: String, Sendable, Codable {
    /// One JSON object per line: ECS records, or `journalctl -o json` entries carrying them.
    case jsonLines = "json-lines"
    /// `journalctl -o export`: `KEY=value` lines or binary-safe `KEY` + length + bytes, blank line between entries.
    case journalExport = "journal-export"
}

/// Counts of one read.
public struct ReadStats: Sendable, Equatable, Codable {
    public var bytes = 0
    public var lines = 0
    public var blankLines = 0
    public var compressed = false
    public var format = InputFormat.jsonLines

    public init() {}

    /// Adds another chunk of the same (plain JSON-lines) file.
    mutating func add(_ other: ReadStats) {
        bytes += other.bytes
        lines += other.lines
        blankLines += other.blankLines
    }
}

/// Reads inputs (files, `-` for stdin, gzip auto-detected), frames them (JSON lines or journal
/// export, auto-detected) and hands each record to a consumer. Streaming: memory is one window of
/// `chunk` bytes (more only for a longer line, up to `maxLineBytes`) whatever the input size.
public final class RecordReader {
    public static let maxLineBytes = 8 << 20
    /// Largest binary journal field kept; larger ones are skipped and reported.
    public static let maxFieldBytes = 8 << 20

    public let parser = RecordParser()
    private let chunk: Int

    public init(chunk: Int = 1 << 20) {
        self.chunk = chunk
    }

    /// Opens `path` (`-` is stdin) and reads it to the end. Throws only when it cannot be opened;
    /// a read failure midway (e.g. a truncated .gz) is reported as a problem after the lines read.
    public func read<C: RecordConsumer>(path: String, progress: ProgressCounter? = nil, into consumer: inout C) throws(InputError) -> ReadStats {
        let file = try FileSource(path: path, progress: progress)
        var stats = ReadStats()
        var buffer = ChunkBuffer(source: file, chunk: chunk, maxLine: Self.maxLineBytes)
        do throws(InputError) {
            let head = try buffer.peek(2)
            if head.count >= 2, head[0] == GzipSource.magic[0], head[1] == GzipSource.magic[1] {
                file.unread(buffer.takeBuffered())
                buffer = ChunkBuffer(source: try GzipSource(upstream: file, path: path), chunk: chunk, maxLine: Self.maxLineBytes)
                stats.compressed = true
            }
            stats.format = Self.detect(try buffer.peek(256))
            switch stats.format {
            case .jsonLines: try lines(buffer, path, &stats, &consumer)
            case .journalExport: try exportEntries(buffer, path, &stats, &consumer)
            }
        } catch {
            consumer.problem(InputProblem(kind: error.kind, location: SourceLocation(file: path, line: buffer.newlines + 1), detail: error.reason))
        }
        stats.bytes = buffer.consumed
        return stats
    }

    /// Reads one chunk of a JSON-lines file (`FileChunk.plan`): lines numbered from the chunk's
    /// `firstLine`, no sniffing (only the file's start says gzip or journal export; the planner
    /// checked it). The stats of a file's chunks add up to the stats of reading it whole.
    package func read<C: RecordConsumer>(chunk: FileChunk, progress: ProgressCounter? = nil, into consumer: inout C) throws(InputError) -> ReadStats {
        let file = try RangeSource(path: chunk.path, start: chunk.start, end: chunk.end, progress: progress)
        var stats = ReadStats()
        let buffer = ChunkBuffer(source: file, chunk: self.chunk, maxLine: Self.maxLineBytes)
        do throws(InputError) {
            try lines(buffer, chunk.path, &stats, &consumer, firstLine: chunk.firstLine)
        } catch {
            consumer.problem(InputProblem(kind: error.kind, location: SourceLocation(file: chunk.path, line: chunk.firstLine + buffer.newlines),
                                          detail: error.reason))
        }
        stats.bytes = buffer.consumed
        return stats
    }

    /// Reads record lines already split (e.g. `VDM_ECS_JSON` values from a journal reader, or test
    /// data). Each element is one record, without its newline.
    public func read<C: RecordConsumer>(lines: some Sequence<String>, name: String, into consumer: inout C) -> ReadStats {
        var stats = ReadStats()
        for var text in lines {
            stats.lines += 1
            stats.bytes += text.utf8.count
            let location = SourceLocation(file: name, line: stats.lines)
            text.withUTF8 { buf in
                handle(UnsafeRawBufferPointer(buf), terminated: true, location, &stats, &consumer)
            }
        }
        return stats
    }

    /// Hands one record line (no newline) to the consumer.
    public func read<C: RecordConsumer>(line: UnsafeRawBufferPointer, at location: SourceLocation, into consumer: inout C) {
        var stats = ReadStats()
        handle(line, terminated: true, location, &stats, &consumer)
    }

    /// `journalctl -o export` always starts an entry with `__CURSOR=`; more generally a field name
    /// (upper case, digits, `_`) followed by `=` or a newline. Anything else is read as JSON lines.
    static func detect(_ head: UnsafeRawBufferPointer) -> InputFormat {
        var i = 0
        while i < head.count {
            let c = head[i]
            let nameByte = (c >= 0x41 && c <= 0x5A) || c == 0x5F || (i > 0 && c >= 0x30 && c <= 0x39)
            if nameByte { i += 1; continue }
            return i > 0 && (c == UInt8(ascii: "=") || c == 0x0A) ? .journalExport : .jsonLines
        }
        return .jsonLines
    }

    private func lines<C: RecordConsumer>(_ buffer: ChunkBuffer, _ path: String, _ stats: inout ReadStats, _ consumer: inout C,
                                          firstLine: Int = 1) throws(InputError) {
        while true {
            let number = buffer.newlines + firstLine
            switch try buffer.nextLine() {
            case .end:
                return
            case .tooLong(let length):
                stats.lines += 1
                consumer.problem(InputProblem(kind: .lineTooLong, location: SourceLocation(file: path, line: number),
                                              detail: "\(length) bytes (limit \(Self.maxLineBytes))"))
            case .line(let line, let terminated):
                stats.lines += 1
                handle(line, terminated: terminated, SourceLocation(file: path, line: number), &stats, &consumer)
            }
        }
    }

    @inline(__always)
    private func handle<C: RecordConsumer>(_ line: UnsafeRawBufferPointer, terminated: Bool, _ location: SourceLocation,
                                           _ stats: inout ReadStats, _ consumer: inout C) {
        var body = line
        if let last = body.last, last == 0x0D { body = UnsafeRawBufferPointer(rebasing: body.dropLast()) }
        switch parser.parse(body) {
        case .blank:
            stats.blankLines += 1
        case .record(let kind):
            consumer.record(kind, parser, at: location)
        case .problem(let kind, let detail):
            // A cut-off last line is a truncation, not corruption (the writer was stopped mid-line).
            let isTruncation = !terminated && (kind == .malformedJSON || kind == .invalidUTF8)
            consumer.problem(InputProblem(kind: isTruncation ? .truncatedLine : kind, location: location,
                                          detail: isTruncation ? "no newline at the end of the file: \(detail)" : detail))
        }
    }

    // MARK: journalctl -o export

    /// Reads export entries: text fields `KEY=value\n`, binary fields `KEY\n` + little-endian
    /// uint64 length + bytes + `\n`, a blank line after each entry. Only `VDM_ECS_JSON` is kept.
    private func exportEntries<C: RecordConsumer>(_ buffer: ChunkBuffer, _ path: String, _ stats: inout ReadStats, _ consumer: inout C) throws(InputError) {
        var payload: [UInt8] = []
        var hasPayload = false
        var fields = 0
        var entryLine = 1
        var broken: String?
        let key = Array(JournalField.payload.utf8)

        func finish(_ consumer: inout C, _ stats: inout ReadStats) {
            defer { payload.removeAll(keepingCapacity: true); hasPayload = false; fields = 0; broken = nil }
            guard fields > 0 || broken != nil else { return }
            stats.lines += 1
            let location = SourceLocation(file: path, line: entryLine)
            if let why = broken {
                consumer.problem(InputProblem(kind: .malformedJournalEntry, location: location, detail: why))
            } else if !hasPayload {
                consumer.problem(InputProblem(kind: .foreignJournalEntry, location: location, detail: "journal entry without \(JournalField.payload)"))
            } else {
                payload.withUnsafeBytes { bytes in
                    handle(bytes, terminated: true, location, &stats, &consumer)
                }
            }
        }

        while true {
            let number = buffer.newlines + 1
            switch try buffer.nextLine() {
            case .end:
                finish(&consumer, &stats)
                return
            case .tooLong(let length):
                if fields == 0 { entryLine = number }
                fields += 1
                broken = broken ?? "a text field of \(length) bytes (limit \(Self.maxLineBytes))"
            case .line(let line, let terminated):
                if line.isEmpty {
                    finish(&consumer, &stats)
                    continue
                }
                if fields == 0 { entryLine = number }
                fields += 1
                if let eq = line.firstIndex(of: UInt8(ascii: "=")) {
                    if eq == key.count, line.starts(with: key) {
                        payload.removeAll(keepingCapacity: true)
                        payload.append(contentsOf: line[(eq + 1)...])
                        hasPayload = true
                    }
                    if !terminated { broken = broken ?? "entry cut off at the end of the file" }
                    continue
                }
                // A binary field: the name alone on its line, then the length and the bytes.
                let isPayload = line.elementsEqual(key)
                guard terminated, let lengthBytes = try buffer.take(8) else {
                    broken = broken ?? "entry cut off at the end of the file"
                    continue
                }
                let length = lengthBytes.loadUnaligned(as: UInt64.self).littleEndian
                if length > UInt64(Self.maxFieldBytes) {
                    broken = broken ?? "a binary field of \(length) bytes (limit \(Self.maxFieldBytes))"
                    guard length <= UInt64(Int.max - 1), try buffer.skip(Int(length) + 1) else { return finish(&consumer, &stats) }
                    continue
                }
                guard let value = try buffer.take(Int(length) + 1) else {
                    broken = broken ?? "binary field cut off at the end of the file"
                    continue
                }
                guard value.last == 0x0A else {
                    broken = broken ?? "binary field not followed by a newline"
                    continue
                }
                if isPayload {
                    payload.removeAll(keepingCapacity: true)
                    payload.append(contentsOf: value.dropLast())
                    hasPayload = true
                }
            }
        }
    }
}
