/// A short description of one record, for reports (loose ends, traces).
public struct RecordSummary: Sendable, Equatable, Codable {
    public var sequence: UInt64
    public var location: SourceLocation
    public var timestampMicros: Int64?
    public var level: String
    public var logger: String
    public var action: String?
    /// The message (cut to `maxMessageBytes` for loose ends; whole in traces).
    public var message: String

    static let maxMessageBytes = 240

    /// Decodes a record line kept as read (a placeholder if it no longer parses, which cannot
    /// happen for lines the reader accepted).
    init(line: String, at location: SourceLocation, sequence: UInt64) {
        let parser = RecordParser()
        var text = line
        let parsed = text.withUTF8 { buf -> RecordSummary? in
            guard case .record = parser.parse(UnsafeRawBufferPointer(buf)) else { return nil }
            return RecordSummary(parser, at: location)
        }
        self = parsed ?? RecordSummary(sequence: sequence, location: location, timestampMicros: nil, level: "", logger: "", action: nil, message: line)
    }

    init(sequence: UInt64, location: SourceLocation, timestampMicros: Int64?, level: String, logger: String, action: String?, message: String) {
        self.sequence = sequence
        self.location = location
        self.timestampMicros = timestampMicros
        self.level = level
        self.logger = logger
        self.action = action
        self.message = message
    }

    /// One string field of a record line kept as read.
    static func field(_ f: RecordField, of line: String) -> String? {
        let parser = RecordParser()
        var text = line
        return text.withUTF8 { buf -> String? in
            guard case .record = parser.parse(UnsafeRawBufferPointer(buf)) else { return nil }
            return try? parser.string(f)
        }
    }

    init(_ parser: RecordParser, at location: SourceLocation, cut: Bool = true) {
        sequence = parser.sequence
        self.location = location
        timestampMicros = parser.timestampMicros
        level = parser.level
        logger = parser.logger
        action = parser.action
        message = cut ? parser.messagePrefix(maxBytes: Self.maxMessageBytes) : parser.message
    }
}

/// Requests whose `request.started` was read but whose `request.completed` was not: findings of
/// replay and summaries (they are not in the totals). Mergeable: a start in one file and its
/// completion in the next (rotation) cancel out when the partial results are merged.
public struct LooseEnds: Sendable, Equatable, Codable {
    public struct Key: Sendable, Hashable, Codable, Comparable {
        public var instance: String
        public var requestID: String
        public static func < (a: Key, b: Key) -> Bool { a.instance != b.instance ? a.instance < b.instance : a.requestID < b.requestID }
        /// The request id alone (ids are per request, so this rarely collides): half the hashing
        /// on a path taken for most records.
        public func hash(into hasher: inout Hasher) { hasher.combine(requestID) }
    }

    /// An open request. Its records are kept as read (one copy of each line, decoded only for a
    /// report), because most requests complete and their records are then dropped unread.
    public struct Open: Sendable, Equatable, Codable {
        public var key: Key
        /// The `request.started` record's JSON line, where it was and its sequence number.
        public var startedLine: String
        public var startedLocation: SourceLocation
        public var startedSequence: UInt64
        /// The latest record of this request read with it (highest sequence).
        public var lastLine: String
        public var lastLocation: SourceLocation
        public var lastSequence: UInt64

        public var started: RecordSummary { RecordSummary(line: startedLine, at: startedLocation, sequence: startedSequence) }
        public var lastRecord: RecordSummary { RecordSummary(line: lastLine, at: lastLocation, sequence: lastSequence) }
        public var requestedModel: String { RecordSummary.field(.requestedModel, of: startedLine) ?? "" }
        public var provider: String { RecordSummary.field(.provider, of: startedLine) ?? "" }
    }

    /// Completions without a start read so far are kept (up to this many) to cancel starts read
    /// from other inputs; past it, `completionsOverflowed` says the listing may hold false entries.
    public static let maxUnmatchedCompletions = 100_000

    public private(set) var open: [Key: Open] = [:]
    public private(set) var unmatchedCompletions: Set<Key> = []
    public private(set) var unmatchedCompletionCount = 0
    public private(set) var completionsOverflowed = false

    /// Set for a chunk after a file's first (`vdm replay -j N`): what it must remember so that
    /// its loose ends can continue those of the lines before it (`continued(by:)`).
    var chunk: ChunkFacts?

    enum CodingKeys: String, CodingKey { case open, unmatchedCompletions, unmatchedCompletionCount, completionsOverflowed }

    public init() {}

    mutating func started(_ key: Key, _ parser: RecordParser, at location: SourceLocation) {
        // Records read before the start are not its last record (one reader skips them too).
        defer { chunk?.noteEvent(key, unmatched: unmatchedCompletions.count) }
        if unmatchedCompletions.remove(key) != nil {
            unmatchedCompletionCount -= 1
            return
        }
        let line = parser.currentLine
        let seq = parser.sequence
        open[key] = Open(key: key, startedLine: line, startedLocation: location, startedSequence: seq,
                         lastLine: line, lastLocation: location, lastSequence: seq)
    }

    mutating func completed(_ key: Key) {
        defer { chunk?.noteEvent(key, unmatched: unmatchedCompletions.count) }
        if open.removeValue(forKey: key) != nil { return }
        unmatchedCompletionCount += 1
        if unmatchedCompletions.count < Self.maxUnmatchedCompletions {
            unmatchedCompletions.insert(key)
        } else {
            completionsOverflowed = true
        }
    }

    /// Another record of a request: remembered as its last record if it is the latest so far.
    mutating func touch(_ key: Key, _ parser: RecordParser, at location: SourceLocation) {
        let seq = parser.sequence
        guard let i = open.index(forKey: key) else {
            guard chunk != nil, !unmatchedCompletions.contains(key) else { return }
            chunk?.touch(key, line: parser.currentLine, at: location, sequence: seq)
            return
        }
        guard seq > open.values[i].lastSequence else { return }
        open.values[i].lastLine = parser.currentLine
        open.values[i].lastLocation = location
        open.values[i].lastSequence = seq
    }

    /// Drops this side's open starts of `instance` that the other side read too (same sequence
    /// number, a start there) and did not leave open: the other copy was completed there.
    mutating func dropStartsClosed(in other: LooseEnds, instance: String, ledger: InstanceLedger) {
        for (key, entry) in open where key.instance == instance && other.open[key] == nil {
            if let (slot, _) = ledger.slot(entry.startedSequence), slot.role == .started { open[key] = nil }
        }
    }

    public mutating func merge(_ other: LooseEnds) {
        // A completion read in both (a duplicate) is one completion.
        var theirs = other.unmatchedCompletions.subtracting(unmatchedCompletions)
        var theirCount = other.unmatchedCompletionCount - (other.unmatchedCompletions.count - theirs.count)
        for (key, entry) in other.open {
            if unmatchedCompletions.remove(key) != nil {
                unmatchedCompletionCount -= 1
            } else if let mine = open[key] {
                // The same start read twice (a repeat): the first copy's position, the latest record.
                if entry.startedLocation < mine.startedLocation {
                    open[key]?.startedLine = entry.startedLine
                    open[key]?.startedLocation = entry.startedLocation
                    open[key]?.startedSequence = entry.startedSequence
                }
                if entry.lastSequence != mine.lastSequence ? entry.lastSequence > mine.lastSequence : entry.lastLocation < mine.lastLocation {
                    open[key]?.lastLine = entry.lastLine
                    open[key]?.lastLocation = entry.lastLocation
                    open[key]?.lastSequence = entry.lastSequence
                }
            } else {
                open[key] = entry
            }
        }
        for key in theirs where open[key] != nil {
            open[key] = nil
            theirs.remove(key)
            theirCount -= 1
        }
        unmatchedCompletionCount += theirCount
        for key in theirs where unmatchedCompletions.count < Self.maxUnmatchedCompletions {
            unmatchedCompletions.insert(key)
        }
        completionsOverflowed = completionsOverflowed || other.completionsOverflowed
            || unmatchedCompletions.count < unmatchedCompletionCount
    }

    /// These loose ends (of a file's lines up to a chunk) followed by the chunk's (`chunk`, read on
    /// its own): what one reader of both gives, or nil when the chunk's facts cannot prove it —
    /// a request these lines left open or unmatched that the chunk starts or completes more than
    /// once (or starts), an orphan not kept, or the unmatched completions' cap within reach.
    /// The common case is exact without reading again: a request open here whose records the chunk
    /// holds (its latest is the last record) and whose completion it may hold (once).
    func continued(by next: LooseEnds) -> LooseEnds? {
        guard let facts = next.chunk, !facts.orphansOverflowed, !completionsOverflowed, !next.completionsOverflowed,
              unmatchedCompletions.count + facts.peakUnmatched <= Self.maxUnmatchedCompletions else { return nil }
        for key in unmatchedCompletions where facts.eventCount(key) > 0 { return nil }
        var result = self
        result.chunk = nil
        var theirs = next.unmatchedCompletions
        var theirCount = next.unmatchedCompletionCount
        for (key, entry) in open {
            switch facts.eventCount(key) {
            case 0:
                if let o = facts.orphans[key], o.sequence > entry.lastSequence {
                    result.open[key]?.lastLine = o.line
                    result.open[key]?.lastLocation = o.location
                    result.open[key]?.lastSequence = o.sequence
                }
            case 1 where theirs.contains(key):
                result.open[key] = nil
                theirs.remove(key)
                theirCount -= 1
            default:
                return nil
            }
        }
        // The rest of the chunk's requests have no state here (checked above): its own results.
        for (key, entry) in next.open { result.open[key] = entry }
        result.unmatchedCompletions.formUnion(theirs)
        result.unmatchedCompletionCount += theirCount
        return result
    }

    /// Moves the lines of `file` on by `lines` (a chunk's numbers made the file's).
    mutating func shift(by lines: Int, in file: String) {
        for i in open.indices {
            open.values[i].startedLocation = open.values[i].startedLocation.shifted(by: lines, in: file)
            open.values[i].lastLocation = open.values[i].lastLocation.shifted(by: lines, in: file)
        }
        chunk?.shift(by: lines, in: file)
    }

    /// Open requests, by instance then start sequence.
    public var sorted: [Open] {
        open.values.sorted { $0.key.instance != $1.key.instance ? $0.key.instance < $1.key.instance : $0.startedSequence < $1.startedSequence }
    }

    public var count: Int { open.count }
}
