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

    /// The latest record of each request a chunk read without its start or its completion
    /// (`trackOrphans`: a chunk after a file's first, where the requests in flight at the split
    /// began earlier), so that merging gives an open request the last record one reader would:
    /// the latest read after its start. One entry per chunk and request (every record of a chunk
    /// lies on one side of a start in another chunk). Only for merging chunks: not stored
    /// (`CodingKeys`), emptied once a replay is merged (`dropOrphans`), at most
    /// `maxUnmatchedCompletions` requests kept.
    struct Orphan: Sendable, Equatable {
        var line: String
        var location: SourceLocation
        var sequence: UInt64

        /// Later in the log's own order: a higher sequence; the same one, read first.
        func isLater(than sequence: UInt64, at location: SourceLocation) -> Bool {
            self.sequence != sequence ? self.sequence > sequence : self.location < location
        }
    }
    private(set) var orphans: [Key: [Orphan]] = [:]
    var trackOrphans = false

    enum CodingKeys: String, CodingKey { case open, unmatchedCompletions, unmatchedCompletionCount, completionsOverflowed }

    public init() {}

    /// Forgets the orphan records once every chunk is merged (they serve the merge only).
    mutating func dropOrphans() {
        orphans = [:]
        trackOrphans = false
    }

    mutating func started(_ key: Key, _ parser: RecordParser, at location: SourceLocation) {
        // Records read before the start are not its last record (one reader skips them too).
        if trackOrphans { orphans[key] = nil }
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
        if open.removeValue(forKey: key) != nil { return }
        if trackOrphans { orphans[key] = nil }
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
            guard trackOrphans, !unmatchedCompletions.contains(key) else { return }
            if let known = orphans[key]?.first {
                if seq > known.sequence { orphans[key] = [Orphan(line: parser.currentLine, location: location, sequence: seq)] }
            } else if orphans.count < Self.maxUnmatchedCompletions {
                orphans[key] = [Orphan(line: parser.currentLine, location: location, sequence: seq)]
            }
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
        mergeOrphans(other.orphans)
    }

    /// Both sides' orphan records: the latest read after an open request's start becomes its last
    /// record; the others wait for the chunks still to be merged.
    private mutating func mergeOrphans(_ theirs: [Key: [Orphan]]) {
        guard !orphans.isEmpty || !theirs.isEmpty else { return }
        for (key, list) in theirs where orphans.count < Self.maxUnmatchedCompletions || orphans[key] != nil {
            orphans[key, default: []] += list
        }
        for (key, list) in orphans {
            guard let entry = open[key] else { continue }
            var last = (line: entry.lastLine, location: entry.lastLocation, sequence: entry.lastSequence)
            var waiting: [Orphan] = []
            for o in list {
                guard entry.startedLocation < o.location else {
                    waiting.append(o)
                    continue
                }
                if o.isLater(than: last.sequence, at: last.location) { last = (o.line, o.location, o.sequence) }
            }
            open[key]?.lastLine = last.line
            open[key]?.lastLocation = last.location
            open[key]?.lastSequence = last.sequence
            orphans[key] = waiting.isEmpty ? nil : waiting
        }
    }

    /// Open requests, by instance then start sequence.
    public var sorted: [Open] {
        open.values.sorted { $0.key.instance != $1.key.instance ? $0.key.instance < $1.key.instance : $0.startedSequence < $1.startedSequence }
    }

    public var count: Int { open.count }
}
