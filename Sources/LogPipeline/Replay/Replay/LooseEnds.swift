/// A short description of one record, for reports (loose ends, traces).
public struct RecordSummary: Sendable, Equatable, Codable {
    public var sequence: UInt64
    public var location: SourceLocation
    public var timestampMicros: Int64?
    public var level: String
    public var logger: String
    public var action: String?
    /// The message, cut to `maxMessage` characters.
    public var message: String

    static let maxMessage = 200

    init(_ parser: RecordParser, at location: SourceLocation) {
        sequence = parser.sequence
        self.location = location
        timestampMicros = parser.timestampMicros
        level = parser.level
        logger = parser.logger
        action = parser.action
        let text = parser.message
        message = text.count > Self.maxMessage ? String(text.prefix(Self.maxMessage)) + "…" : text
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
    }

    public struct Open: Sendable, Equatable, Codable {
        public var key: Key
        public var started: RecordSummary
        public var requestedModel: String
        public var provider: String
        /// The latest record of this request read with it (highest sequence).
        public var lastRecord: RecordSummary
    }

    /// Completions without a start read so far are kept (up to this many) to cancel starts read
    /// from other inputs; past it, `completionsOverflowed` says the listing may hold false entries.
    public static let maxUnmatchedCompletions = 100_000

    public private(set) var open: [Key: Open] = [:]
    public private(set) var unmatchedCompletions: Set<Key> = []
    public private(set) var unmatchedCompletionCount = 0
    public private(set) var completionsOverflowed = false

    public init() {}

    mutating func started(_ key: Key, _ parser: RecordParser, at location: SourceLocation) {
        if unmatchedCompletions.remove(key) != nil {
            unmatchedCompletionCount -= 1
            return
        }
        let summary = RecordSummary(parser, at: location)
        open[key] = Open(key: key, started: summary, requestedModel: (try? parser.string(.requestedModel)) ?? "",
                         provider: (try? parser.string(.provider)) ?? "", lastRecord: summary)
    }

    mutating func completed(_ key: Key) {
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
        guard let existing = open[key], parser.sequence > existing.lastRecord.sequence else { return }
        open[key]?.lastRecord = RecordSummary(parser, at: location)
    }

    public mutating func merge(_ other: LooseEnds) {
        var theirs = other.unmatchedCompletions
        var theirCount = other.unmatchedCompletionCount
        for (key, entry) in other.open {
            if unmatchedCompletions.remove(key) != nil {
                unmatchedCompletionCount -= 1
            } else if let mine = open[key] {
                if entry.lastRecord.sequence > mine.lastRecord.sequence { open[key]?.lastRecord = entry.lastRecord }
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

    /// Open requests, by instance then start sequence.
    public var sorted: [Open] {
        open.values.sorted { $0.key.instance != $1.key.instance ? $0.key.instance < $1.key.instance : $0.started.sequence < $1.started.sequence }
    }

    public var count: Int { open.count }
}
