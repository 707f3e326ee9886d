/// What replay learnt about one process (`service.node.name`): each of its records once, by
/// sequence number, in blocks (`RecordBlock`), with the checked totals of its completed requests.
/// A second copy of a record (at-least-once shipping, a file read twice) is dropped and counted in
/// `duplicates`; a different record under a number already read is a conflict (`conflicts`).
///
/// Memory: the slots of at most `completeBlocksKept` complete blocks stay in memory; older complete
/// blocks go to `spill` when there is one (a replay's temporary file), keeping their index, their
/// aggregate and their input names here. Incomplete blocks (a gap, a block still being read) stay.
public struct InstanceLedger: Sendable, Equatable, Codable {
    /// `event.sequence` numbers read (every record with a valid envelope, used or not).
    public private(set) var sequences = SequenceRanges()
    public private(set) var blocks: [UInt64: RecordBlock] = [:]
    public let limits: AggregateLimits
    /// Identical copies dropped.
    public internal(set) var duplicates = 0
    /// Different records under a number already read (the first by position counts).
    public internal(set) var conflicts = 0
    /// Conflicts that partial results could not settle exactly (see `RecordBlock.merge`).
    public internal(set) var unresolvedConflicts = 0
    /// The checked sum of the completed requests counted (of every block), or the error that
    /// stopped it; always within `RecordBounds.total` when `sumError` is nil.
    public private(set) var totals = MetricCounters()
    public private(set) var sumError: SumError?
    /// Where complete blocks' slots go (none: all stay in memory, e.g. a decoded state).
    private(set) var spill: SlotSpill?
    /// Complete blocks whose slots are still in memory, oldest first (at most `completeBlocksKept`
    /// with a spill): a repeat usually comes soon after its first copy and then needs no read.
    private var completeInMemory: [UInt64] = []
    package static let completeBlocksKept = 8

    public init(limits: AggregateLimits = AggregateLimits()) {
        self.init(limits: limits, spill: nil)
    }

    init(limits: AggregateLimits, spill: SlotSpill?) {
        self.limits = limits
        self.spill = spill
    }

    /// The same records, counts and totals (where the slots are is not part of it).
    public static func == (a: Self, b: Self) -> Bool {
        a.sequences == b.sequences && a.blocks == b.blocks && a.limits == b.limits && a.duplicates == b.duplicates
            && a.conflicts == b.conflicts && a.unresolvedConflicts == b.unresolvedConflicts && a.totals == b.totals && a.sumError == b.sumError
    }

    /// Notes that block `k` is complete with its slots in memory, and moves the oldest such
    /// blocks' slots past `completeBlocksKept` to the spill.
    private mutating func noteComplete(_ k: UInt64) {
        guard let spill, blocks[k]?.spilled == nil, !completeInMemory.contains(k) else { return }
        completeInMemory.append(k)
        while completeInMemory.count > Self.completeBlocksKept {
            let oldest = completeInMemory.removeFirst()
            blocks[oldest]?.spill(into: spill)
        }
    }

    // MARK: reading

    func check(_ seq: UInt64, fingerprint: UInt64, cache: inout SpillCache) -> RecordBlock.Insertion {
        blocks[RecordBlock.index(of: seq)]?.check(seq, fingerprint: fingerprint, cache: &cache) ?? .new
    }

    /// Whether the totals can take `m` (checked against `RecordBounds.total`).
    func admits(_ m: RequestMetrics) throws(SumError) {
        _ = try totals.adding(MetricCounters(m))
    }

    /// Adds a record `check` called new; a counted request must have passed `admits`.
    mutating func insert(_ seq: UInt64, role: RecordBlock.Role, fingerprint: UInt64, at location: SourceLocation, metrics: CheckedMetrics?) throws(SumError) {
        let k = RecordBlock.index(of: seq)
        let limits = limits
        if let m = metrics { totals = try totals.adding(MetricCounters(m.metrics)) }
        try blocks[k, default: RecordBlock(index: k, limits: limits)].insert(seq, role: role, fingerprint: fingerprint, at: location, metrics: metrics)
        sequences.insert(seq)
        if blocks[k]?.isComplete == true { noteComplete(k) }
    }

    /// The slot of `seq`, if read (for loose ends: was this start read elsewhere?).
    func slot(_ seq: UInt64) -> (RecordBlock.Slot, SourceLocation)? {
        guard let block = blocks[RecordBlock.index(of: seq)], let s = block.slot(seq) else { return nil }
        return (s, block.location(of: s))
    }

    /// Moves the lines of `file` on by `lines` (see `RecordBlock.shift`).
    mutating func shift(by lines: Int, in file: String) {
        for k in blocks.keys { blocks[k]?.shift(by: lines, in: file) }
    }

    // MARK: counts

    private func count(_ role: RecordBlock.Role) -> Int {
        blocks.values.reduce(0) { $0 + $1.count(role) }
    }

    /// Records read once each (duplicates and conflicting copies not included).
    public var records: Int { blocks.values.reduce(0) { $0 + $1.recordCount } }
    public var started: Int { count(.started) }
    /// Completed requests in the totals.
    public var completed: Int { totals.requests }
    public var checkpoints: Int { count(.checkpoint) }
    public var other: Int { count(.other) }

    /// Completed requests of this instance, aggregated by the same code as the live tracker.
    public func aggregate() throws(SumError) -> MetricsAggregate {
        if let sumError { throw sumError }
        var total = MetricsAggregate(limits: limits)
        for k in blocks.keys.sorted() {
            if let b = blocks[k] { try total.merge(b.aggregate) }
        }
        return total
    }

    // MARK: merging

    /// Merges the same instance read elsewhere: each record once (see `RecordBlock.merge`).
    mutating func merge(_ o: InstanceLedger, findings: inout RecordBlock.MergeFindings) {
        spill = spill ?? o.spill
        sequences.merge(o.sequences)
        duplicates += o.duplicates
        conflicts += o.conflicts
        unresolvedConflicts += o.unresolvedConflicts
        let before = findings
        for (k, theirs) in o.blocks {
            if blocks[k] == nil {
                blocks[k] = theirs
            } else {
                blocks[k]?.merge(theirs, findings: &findings)
            }
        }
        duplicates += findings.duplicates.count - before.duplicates.count
        conflicts += findings.conflicts.count - before.conflicts.count
        unresolvedConflicts += findings.unresolved - before.unresolved
        sumError = sumError ?? o.sumError ?? findings.sumError
        // Their complete blocks, and blocks the merge completed, count against what stays in memory.
        for k in o.blocks.keys.sorted() where blocks[k]?.isComplete == true { noteComplete(k) }
        // Recomputed, checked: a total over both may pass the bound though neither does.
        var sum = MetricCounters()
        do throws(SumError) {
            for b in blocks.values { sum = try sum.adding(b.totals) }
            totals = sum
        } catch {
            sumError = sumError ?? error
        }
    }

    // MARK: stored form

    enum CodingKeys: String, CodingKey { case blocks, limits, duplicates, conflicts, unresolvedConflicts }

    /// Decodes and checks a stored ledger (blocks under their own index, totals recomputed checked).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        limits = try c.decode(AggregateLimits.self, forKey: .limits)
        let list = try c.decode([RecordBlock].self, forKey: .blocks)
        duplicates = try c.decode(Int.self, forKey: .duplicates)
        conflicts = try c.decode(Int.self, forKey: .conflicts)
        unresolvedConflicts = try c.decode(Int.self, forKey: .unresolvedConflicts)
        func invalid(_ why: String) -> DecodingError {
            DecodingError.dataCorruptedError(forKey: .blocks, in: c, debugDescription: why)
        }
        guard [duplicates, conflicts, unresolvedConflicts].allSatisfy({ RecordBounds.total.contains(Int64($0)) }) else {
            throw invalid("counts out of range")
        }
        var sum = MetricCounters()
        for b in list {
            guard blocks[b.index] == nil else { throw invalid("block \(b.index) twice") }
            blocks[b.index] = b
            for s in b.slots { sequences.insert(b.sequence(of: s)) }
            do throws(SumError) { sum = try sum.adding(b.totals) } catch { throw invalid("\(error)") }
        }
        totals = sum
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(limits, forKey: .limits)
        try c.encode(blocks.keys.sorted().compactMap { blocks[$0] }, forKey: .blocks)
        try c.encode(duplicates, forKey: .duplicates)
        try c.encode(conflicts, forKey: .conflicts)
        try c.encode(unresolvedConflicts, forKey: .unresolvedConflicts)
    }
}
