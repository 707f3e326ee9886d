import Foundation

/// One checkpoint field that differs (named as in the log, without the `vdm.checkpoint.` prefix).
public struct FieldDifference: Sendable, Equatable, Codable {
    public var field: String
    public var logged: Int64
    public var recomputed: Int64

    public init(field: String, logged: Int64, recomputed: Int64) {
        self.field = field
        self.logged = logged
        self.recomputed = recomputed
    }

    static func between(logged l: MetricCounters, recomputed r: MetricCounters) -> [FieldDifference] {
        let pairs: [(String, Int64, Int64)] = [
            ("requests", Int64(l.requests), Int64(r.requests)),
            ("errors", Int64(l.errors), Int64(r.errors)),
            ("input_tokens", Int64(l.inputTokens), Int64(r.inputTokens)),
            ("output_tokens", Int64(l.outputTokens), Int64(r.outputTokens)),
            ("cache_read_tokens", Int64(l.cacheReadTokens), Int64(r.cacheReadTokens)),
            ("cache_creation_tokens", Int64(l.cacheCreationTokens), Int64(r.cacheCreationTokens)),
            ("tool_uses", Int64(l.toolUses), Int64(r.toolUses)),
            ("tool_results", Int64(l.toolResults), Int64(r.toolResults)),
            ("tool_calls", Int64(l.toolCalls), Int64(r.toolCalls)),
            ("duration_ns", l.durationNanos, r.durationNanos),
        ]
        return pairs.filter { $0.1 != $0.2 }.map { FieldDifference(field: $0.0, logged: $0.1, recomputed: $0.2) }
    }
}

/// The first checkpoint whose logged totals differ from the recomputed ones.
public struct CheckpointDisagreement: Sendable, Equatable, Codable {
    public var sequence: UInt64
    public var location: SourceLocation
    public var timestamp: String?
    /// Sequence numbers are missing below it: the differences are what the missing records held.
    /// Otherwise nothing is missing, so the checkpoint or a record was altered.
    public var recordsMissingBelow: Bool
    public var fields: [FieldDifference]
}

/// The verdict for one instance.
public struct InstanceVerification: Sendable, Equatable, Codable {
    public var instance: String
    public var records: Int
    public var firstSequence: UInt64
    public var lastSequence: UInt64
    /// Missing sequence numbers, including any before the first record read (a log starts at 1).
    public var gaps: [SequenceRanges.Range] = []
    public var duplicates: [SequenceRanges.Range] = []
    public var duplicateRecords = 0
    /// `request.completed` records that could not be read (their contribution is unknown).
    public var invalidCompletedRecords = 0
    public var checkpoints = 0
    /// Equal to the recomputed totals of everything below them.
    public var verified = 0
    /// Below a gap, but their growth since the previous checkpoint matches the records between.
    public var verifiedSincePrevious = 0
    public var disagreeing = 0
    public var firstDisagreement: CheckpointDisagreement?
    public var looseEnds: [LooseEnds.Open] = []

    init(instance: String, records: Int, firstSequence: UInt64, lastSequence: UInt64) {
        self.instance = instance
        self.records = records
        self.firstSequence = firstSequence
        self.lastSequence = lastSequence
    }

    public var missingRecords: UInt64 { gaps.reduce(0) { $0 + $1.count } }
    /// No gap, no duplicate, every checkpoint verified.
    public var isComplete: Bool { gaps.isEmpty && duplicateRecords == 0 && disagreeing == 0 && invalidCompletedRecords == 0 }
}

/// The result of `vdm summaries`. `isComplete` is the exit status: every instance complete.
public struct SummariesResult: Sendable, Equatable, Codable {
    public var instances: [InstanceVerification]
    public var problems: InputProblems

    /// Every instance complete, and no unreadable line of ours (another program's records and
    /// journal entries do not count against the log).
    public var isComplete: Bool {
        instances.allSatisfy(\.isComplete)
            && problems.counts.keys.allSatisfy { $0 == .foreignRecord || $0 == .foreignJournalEntry }
    }

    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "{}\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    public func text() -> String {
        var out = ""
        for v in instances {
            out += "instance \(v.instance): \(v.records) records, sequence \(v.firstSequence)–\(v.lastSequence)"
            out += v.gaps.isEmpty && v.duplicateRecords == 0 ? ", no gaps, no duplicates\n" : "\n"
            if !v.gaps.isEmpty {
                out += "  gaps: \(v.missingRecords) record(s) missing: " + list(v.gaps) + "\n"
            }
            if v.duplicateRecords > 0 {
                out += "  duplicates: \(v.duplicateRecords) record(s) read more than once: " + list(v.duplicates) + "\n"
            }
            if v.invalidCompletedRecords > 0 {
                out += "  unreadable request.completed records: \(v.invalidCompletedRecords)\n"
            }
            out += "  checkpoints: \(v.checkpoints), verified \(v.verified)"
            if v.verifiedSincePrevious > 0 { out += ", verified since the previous checkpoint only \(v.verifiedSincePrevious)" }
            out += ", disagreeing \(v.disagreeing)\n"
            if let d = v.firstDisagreement {
                out += "  first disagreement: checkpoint seq \(d.sequence) at \(d.location)"
                if let t = d.timestamp { out += " (\(t))" }
                out += "\n"
                for f in d.fields {
                    let delta = f.logged - f.recomputed
                    out += "    \(f.field): logged \(f.logged), recomputed \(f.recomputed) (\(delta > 0 ? "+" : "")\(delta))\n"
                }
                out += d.recordsMissingBelow
                    ? "    records are missing below it: the differences are what the missing records held\n"
                    : "    no record is missing below it: the checkpoint or a record was altered\n"
            }
            if !v.looseEnds.isEmpty {
                out += "  started but never completed: \(v.looseEnds.count)\n"
                for e in v.looseEnds.prefix(ReplayReport.maxLooseEndsListed) {
                    out += "    request \(e.key.requestID) started \(e.started.location); last record \(e.lastRecord.location) seq \(e.lastRecord.sequence) "
                    out += "\(e.lastRecord.level) \(e.lastRecord.action ?? e.lastRecord.logger): \(LineEscaper.escaped(e.lastRecord.message))\n"
                }
            }
        }
        out += ReplayReport.problemsText(problems)
        if instances.isEmpty { out += "no vdm records read\n" }
        out += isComplete ? "result: complete — every sequence number present once, every checkpoint verified\n"
            : "result: NOT complete (see above)\n"
        return out
    }

    private func list(_ ranges: [SequenceRanges.Range]) -> String {
        let shown = ranges.prefix(20).map(\.description).joined(separator: ", ")
        return ranges.count > 20 ? shown + ", … (\(ranges.count) ranges)" : shown
    }
}
