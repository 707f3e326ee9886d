/// One input read, for the report.
public struct InputSummary: Sendable, Equatable, Codable {
    public var path: String
    public var stats: ReadStats
}

/// The mergeable partial result of replaying some inputs (`vdm replay --state`, `vdm merge`).
/// Merging is commutative and associative (below the aggregate's key caps), so any split of the
/// inputs into files, processes or machines, merged in any order, gives the same totals; a record
/// read in several of them (at-least-once shipping) counts once.
public struct ReplayState: Sendable, Equatable, Codable {
    /// Version of this file's layout (2: records by sequence block, so overlapping states merge exactly).
    public static let stateVersion = 2

    public var version = ReplayState.stateVersion
    public var inputs: [InputSummary] = []
    public var instances: [String: InstanceLedger] = [:]
    public var problems = InputProblems()
    public var looseEnds = LooseEnds()

    public init() {}

    public mutating func merge(_ other: ReplayState) {
        inputs += other.inputs
        inputs.sort { $0.path < $1.path }
        var findings = RecordBlock.MergeFindings()
        var mine = looseEnds
        var theirs = other.looseEnds
        for (id, ledger) in other.instances {
            guard let existing = instances[id] else {
                instances[id] = ledger
                continue
            }
            // A start read in both, but left open in one only, was completed by the other's copy.
            mine.dropStartsClosed(in: other.looseEnds, instance: id, ledger: ledger)
            theirs.dropStartsClosed(in: looseEnds, instance: id, ledger: existing)
            instances[id]?.merge(ledger, findings: &findings)
            for d in findings.duplicates {
                problems.record(InputProblem(kind: .duplicateRecord, location: d.dropped,
                                             detail: "instance \(id) sequence \(d.sequence): identical to ", reference: d.kept, " (dropped)"))
            }
            for c in findings.conflicts {
                problems.record(InputProblem(kind: .conflictingRecord, location: c.other,
                                             detail: "instance \(id) sequence \(c.sequence): differs from ", reference: c.counted, ", which comes first"))
            }
            findings = RecordBlock.MergeFindings()
        }
        problems.merge(other.problems)
        mine.merge(theirs)
        looseEnds = mine
    }

    /// Conflicts found (the same instance and sequence, different records).
    public var conflicts: Int { instances.values.reduce(0) { $0 + $1.conflicts } }
    public var unresolvedConflicts: Int { instances.values.reduce(0) { $0 + $1.unresolvedConflicts } }
    public var duplicates: Int { instances.values.reduce(0) { $0 + $1.duplicates } }

    /// All instances' completed requests in one aggregate; throws when a total would pass
    /// `RecordBounds.total` (each instance is within it; their sum need not be).
    public func aggregate() throws(SumError) -> MetricsAggregate {
        var total = MetricsAggregate(limits: instances.values.first?.limits ?? AggregateLimits())
        for key in instances.keys.sorted() {
            if let ledger = instances[key] { try total.merge(try ledger.aggregate()) }
        }
        return total
    }

    /// Records used: completed requests in the totals, starts paired with them, checkpoints and
    /// ordinary lines read and sequence-checked (each once).
    public var recordsRead: Int { instances.values.reduce(0) { $0 + $1.records } }
    public var completedRequests: Int { instances.values.reduce(0) { $0 + $1.completed } }

    /// The running totals as the live endpoint builds them with `include_active=false`.
    public func runningTotals(filter: TotalsFilter = TotalsFilter(), instance: String? = nil) throws(SumError) -> RunningTotals {
        let source: MetricsAggregate
        if let instance, let ledger = instances[instance] { source = try ledger.aggregate() } else { source = try aggregate() }
        return RunningTotals(aggregate: source, active: [], filter: filter, includeActive: false)
    }
}
