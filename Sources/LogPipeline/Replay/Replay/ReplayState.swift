/// What replay learnt about one process (`service.instance.id`).
public struct InstanceLedger: Sendable, Equatable, Codable {
    /// `event.sequence` numbers read (every record with a valid envelope, used or not).
    public var sequences = SequenceRanges()
    /// Completed requests of this instance, aggregated by the same code as the live tracker.
    public var aggregate: MetricsAggregate
    public var records = 0
    public var started = 0
    public var completed = 0
    public var checkpoints = 0
    public var other = 0
    /// Records read more than once (same sequence number); they are in the totals twice.
    public var duplicates = 0

    public init(limits: AggregateLimits = AggregateLimits()) {
        aggregate = MetricsAggregate(limits: limits)
    }

    public mutating func merge(_ o: InstanceLedger) {
        duplicates += o.duplicates + Int(sequences.merge(o.sequences))
        aggregate.merge(o.aggregate)
        records += o.records
        started += o.started
        completed += o.completed
        checkpoints += o.checkpoints
        other += o.other
    }
}

/// One input read, for the report.
public struct InputSummary: Sendable, Equatable, Codable {
    public var path: String
    public var stats: ReadStats
}

/// The mergeable partial result of replaying some inputs (`vdm replay --state`, `vdm merge`).
/// Merging is commutative and associative (below the aggregate's key caps), so any split of the
/// inputs into files, processes or machines, merged in any order, gives the same totals.
public struct ReplayState: Sendable, Equatable, Codable {
    /// Version of this file's layout.
    public static let stateVersion = 1

    public var version = ReplayState.stateVersion
    public var inputs: [InputSummary] = []
    public var instances: [String: InstanceLedger] = [:]
    public var problems = InputProblems()
    public var looseEnds = LooseEnds()

    public init() {}

    public mutating func merge(_ other: ReplayState) {
        inputs += other.inputs
        inputs.sort { $0.path < $1.path }
        for (id, ledger) in other.instances {
            if instances[id] == nil {
                instances[id] = ledger
            } else {
                instances[id]?.merge(ledger)
            }
        }
        problems.merge(other.problems)
        looseEnds.merge(other.looseEnds)
        let dupes = instances.values.reduce(0) { $0 + $1.duplicates }
        let reported = problems.count(.duplicateRecord)
        if dupes > reported {
            // Duplicates across inputs only show when their sequence ranges are merged.
            problems.record(InputProblem(kind: .duplicateRecord, location: SourceLocation(file: "(merged inputs)", line: 0),
                                         detail: "\(dupes - reported) record(s) appear in more than one input"), count: dupes - reported)
        }
    }

    /// All instances' completed requests in one aggregate.
    public var aggregate: MetricsAggregate {
        var total = MetricsAggregate(limits: instances.values.first?.aggregate.limits ?? AggregateLimits())
        for key in instances.keys.sorted() {
            if let ledger = instances[key] { total.merge(ledger.aggregate) }
        }
        return total
    }

    /// Records used: completed requests in the totals, starts paired with them, checkpoints and
    /// ordinary lines read and sequence-checked.
    public var recordsRead: Int { instances.values.reduce(0) { $0 + $1.records } }
    public var completedRequests: Int { instances.values.reduce(0) { $0 + $1.completed } }

    /// The running totals as the live endpoint builds them with `include_active=false`.
    public func runningTotals(filter: TotalsFilter = TotalsFilter(), instance: String? = nil) -> RunningTotals {
        let source = instance.flatMap { instances[$0]?.aggregate } ?? aggregate
        return RunningTotals(aggregate: source, active: [], filter: filter, includeActive: false)
    }
}
