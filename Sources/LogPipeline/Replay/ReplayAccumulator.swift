#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Builds a `ReplayState` from records: completed requests go through `MetricsAggregate.add`, the
/// live tracker's own aggregation; every record with a valid envelope is sequence-checked; starts
/// are paired with completions; anything unusable is counted with its location.
package struct ReplayAccumulator: RecordConsumer {
    private var base = ReplayState()
    private let limits: AggregateLimits
    /// Sees every completed request as it is added (e.g. the Prometheus exporter, whose histograms
    /// need each request, not the aggregate).
    private let onCompleted: Replay.CompletionObserver?
    /// Where the ledgers move complete blocks' slots (`InstanceLedger.completeBlocksKept`).
    private let spill: SlotSpill?
    /// The moved block read back last (repeats of moved blocks come in runs).
    private var spillCache = SpillCache()
    /// Ledgers by index, so a record costs one array access rather than several hashed lookups.
    private var ledgers: [InstanceLedger] = []
    private var ids: [String] = []
    private var indexOf: [String: Int] = [:]
    /// The last instance id read, as bytes, and its index (records come in long runs of one
    /// instance, so most lines need no new String and no hashing for it).
    private var cachedInstanceBytes: [UInt8] = []
    private var cachedIndex = -1

    /// The result so far.
    package var state: ReplayState {
        var s = base
        for (i, id) in ids.enumerated() { s.instances[id] = ledgers[i] }
        return s
    }

    package init(limits: AggregateLimits = AggregateLimits(), onCompleted: Replay.CompletionObserver? = nil, spill: SlotSpill? = nil) {
        self.limits = limits
        self.onCompleted = onCompleted
        self.spill = spill
    }

    /// For a chunk after a file's first: also keeps what appending it needs (`ChunkFacts`).
    init(limits: AggregateLimits, chunked: Bool, spill: SlotSpill?) {
        self.init(limits: limits, spill: spill)
        if chunked { base.looseEnds.chunk = ChunkFacts() }
    }

    /// Goes on from `state` (the lines before a chunk), as one reader that has read them.
    init(resuming state: ReplayState, limits: AggregateLimits, spill: SlotSpill?) {
        self.init(limits: limits, spill: spill)
        base = state
        base.instances = [:]
        for (id, ledger) in state.instances.sorted(by: { $0.key < $1.key }) {
            indexOf[id] = ids.count
            ids.append(id)
            ledgers.append(ledger)
        }
    }

    package mutating func record(_ kind: RecordKind, _ parser: RecordParser, at location: SourceLocation) {
        let i = instanceIndex(parser)
        let instance = ids[i]
        let seq = parser.sequence
        var role = RecordBlock.Role.other
        var metrics: CheckedMetrics?
        var problem: InputProblem?
        var fingerprint: UInt64?
        switch kind {
        case .completed:
            do throws(FieldProblem) {
                let m = try parser.checkedCompletedMetrics()
                metrics = m
                role = .completed
                fingerprint = RecordFingerprint.of(m.metrics)
            } catch {
                role = .unused
                problem = InputProblem(kind: error.kind, location: location, detail: "request.completed: \(error)")
            }
        case .started:
            // Not summed, but checked like every record: a value out of bounds is reported.
            do throws(FieldProblem) {
                _ = try parser.startedPayload()
                role = .started
            } catch {
                role = .unused
                problem = InputProblem(kind: error.kind, location: location, detail: "request.started: \(error)")
            }
        case .checkpoint:
            do throws(FieldProblem) {
                _ = try parser.checkpointPayload()
                role = .checkpoint
            } catch {
                role = .unused
                problem = InputProblem(kind: error.kind, location: location, detail: "summary.checkpoint: \(error)")
            }
        case .summaryLine, .plain:
            role = .other
        case .unknownAction:
            role = .unused
            problem = InputProblem(kind: .unknownAction, location: location, detail: "event.action \(parser.action ?? "?")")
        }
        let fp = fingerprint ?? RecordFingerprint.of(kind, parser)
        switch ledgers[i].check(seq, fingerprint: fp, cache: &spillCache) {
        case .duplicate(let first):
            ledgers[i].duplicates += 1
            base.problems.record(InputProblem(kind: .duplicateRecord, location: location,
                                              detail: "instance \(instance) sequence \(seq): identical to ", reference: first, " (dropped)"))
            return
        case .conflict(let first):
            ledgers[i].conflicts += 1
            base.problems.record(InputProblem(kind: .conflictingRecord, location: location,
                                              detail: "instance \(instance) sequence \(seq): differs from ", reference: first, ", which comes first"))
            return
        case .new:
            break
        }
        if let m = metrics {
            // The live tracker refuses a request whose sum would pass the bound; so does replay.
            do throws(SumError) { try ledgers[i].admits(m.metrics) } catch {
                base.looseEnds.chunk?.sumRefused = true
                metrics = nil
                role = .unused
                problem = InputProblem(kind: .outOfBounds, location: location, detail: "request.completed: not in the totals: \(error)")
            }
        }
        do throws(SumError) {
            try ledgers[i].insert(seq, role: role, fingerprint: fp, at: location, metrics: metrics)
        } catch {
            base.looseEnds.chunk?.sumRefused = true
            metrics = nil
            problem = InputProblem(kind: .outOfBounds, location: location, detail: "not in the totals: \(error)")
        }
        if let problem { base.problems.record(problem) }
        switch kind {
        case .completed:
            if let m = metrics?.metrics {
                onCompleted?(m)
                if !m.requestID.isEmpty { base.looseEnds.completed(.init(instance: instance, requestID: m.requestID)) }
            } else if let id = parser.requestID, !id.isEmpty {
                // The request ended (its record is reported as unusable): not a loose end.
                base.looseEnds.completed(.init(instance: instance, requestID: id))
            }
        case .started:
            if let id = parser.requestID {
                base.looseEnds.started(.init(instance: instance, requestID: id), parser, at: location)
            }
        case .summaryLine, .plain, .unknownAction:
            touch(instance, parser, location)
        case .checkpoint:
            break
        }
    }

    package mutating func problem(_ problem: InputProblem) {
        base.problems.record(problem)
    }

    mutating func addInput(_ summary: InputSummary) {
        base.inputs.append(summary)
    }

    private mutating func touch(_ instance: String, _ parser: RecordParser, _ location: SourceLocation) {
        guard base.looseEnds.count > 0 || base.looseEnds.chunk != nil, let id = parser.requestID else { return }
        base.looseEnds.touch(.init(instance: instance, requestID: id), parser, at: location)
    }

    private mutating func instanceIndex(_ parser: RecordParser) -> Int {
        let cached = cachedInstanceBytes
        let same = cachedIndex >= 0 && (parser.withStringBytes(.instanceID) { b in
            b.count == cached.count && cached.withUnsafeBytes { c in
                guard let x = b.baseAddress, let y = c.baseAddress else { return b.count == 0 }
                return memcmp(x, y, b.count) == 0
            }
        } ?? false)
        if same { return cachedIndex }
        let id = parser.instanceID
        cachedInstanceBytes = Array(id.utf8)
        if let known = indexOf[id] {
            cachedIndex = known
        } else {
            cachedIndex = ids.count
            indexOf[id] = cachedIndex
            ids.append(id)
            ledgers.append(InstanceLedger(limits: limits, spill: spill))
        }
        return cachedIndex
    }
}
