/// `vdm summaries`: per instance, recomputes every `summary.checkpoint` from the completed records
/// with a lower `event.sequence` and compares it field by field with the logged one; reports the
/// sequence gaps and duplicates, so an operator can prove a log complete or see what was lost.
public struct SummariesVerifier: RecordConsumer {
    private var ledgers: [String: CheckpointLedger] = [:]
    private var invalidCompleted: [String: Int] = [:]
    /// Per instance, the checked sum of the completed requests recomputed: every run's sum and
    /// prefix is part of it, so the ledger's own additions cannot overflow.
    private var totals: [String: MetricCounters] = [:]
    public private(set) var problems = InputProblems()
    public private(set) var looseEnds = LooseEnds()

    public init() {}

    public mutating func record(_ kind: RecordKind, _ parser: RecordParser, at location: SourceLocation) {
        let instance = parser.instanceID
        let seq = parser.sequence
        var completed: MetricCounters?
        var checkpoint: CheckpointLedger.Checkpoint?
        var requestID: String?
        switch kind {
        case .completed:
            do throws(FieldProblem) {
                let m = try parser.completedMetrics()
                completed = MetricCounters(m)
                requestID = m.requestID
            } catch {
                invalidCompleted[instance, default: 0] += 1
                problems.record(InputProblem(kind: error.kind, location: location, detail: "request.completed: \(error)"))
            }
        case .checkpoint:
            do throws(FieldProblem) {
                let payload = try parser.checkpointPayload()
                checkpoint = .init(sequence: seq, logged: payload.totals, prefix: MetricCounters(), location: location,
                                   timestampMicros: parser.timestampMicros)
            } catch {
                problems.record(InputProblem(kind: error.kind, location: location, detail: "summary.checkpoint: \(error)"))
            }
        case .unknownAction:
            problems.record(InputProblem(kind: .unknownAction, location: location, detail: "event.action \(parser.action ?? "?")"))
        case .started, .summaryLine, .plain:
            break
        }
        // A request the totals cannot take (their sum would pass `RecordBounds.total`) is refused,
        // as the live tracker refuses it.
        var newTotals: MetricCounters?
        var refusal: SumError?
        if let c = completed {
            do throws(SumError) { newTotals = try totals[instance, default: MetricCounters()].adding(c) } catch {
                refusal = error
                completed = nil
            }
        }
        guard ledgers[instance, default: CheckpointLedger()].insert(seq, completed: completed, checkpoint: checkpoint) else {
            problems.record(InputProblem(kind: .duplicateRecord, location: location, detail: "instance \(instance) sequence \(seq) already read"))
            return
        }
        if let newTotals { totals[instance] = newTotals }
        if let refusal {
            invalidCompleted[instance, default: 0] += 1
            problems.record(InputProblem(kind: .outOfBounds, location: location, detail: "request.completed: not in the totals: \(refusal)"))
        }
        switch kind {
        case .started:
            if let id = parser.requestID { looseEnds.started(.init(instance: instance, requestID: id), parser, at: location) }
        case .completed:
            if let id = requestID, !id.isEmpty { looseEnds.completed(.init(instance: instance, requestID: id)) }
        default:
            if looseEnds.count > 0, let id = parser.requestID {
                looseEnds.touch(.init(instance: instance, requestID: id), parser, at: location)
            }
        }
    }

    public mutating func problem(_ problem: InputProblem) {
        problems.record(problem)
    }

    /// Reads `paths` in turn (the result does not depend on their order).
    public static func verify(paths: [String]) throws(InputError) -> SummariesResult {
        try Replay.checkReadable(paths)
        let reader = RecordReader()
        var verifier = SummariesVerifier()
        for path in paths { _ = try reader.read(path: path, into: &verifier) }
        return verifier.result()
    }

    /// Verifies record lines already split (e.g. from a journal reader).
    public static func verify(lines: some Sequence<String>, name: String) -> SummariesResult {
        let reader = RecordReader()
        var verifier = SummariesVerifier()
        _ = reader.read(lines: lines, name: name, into: &verifier)
        return verifier.result()
    }

    public func result() -> SummariesResult {
        var instances: [InstanceVerification] = []
        for id in ledgers.keys.sorted() {
            guard let ledger = ledgers[id] else { continue }
            instances.append(Self.verify(id, ledger, invalidCompleted: invalidCompleted[id] ?? 0,
                                         looseEnds: looseEnds.sorted.filter { $0.key.instance == id }))
        }
        return SummariesResult(instances: instances, problems: problems)
    }

    static func verify(_ id: String, _ ledger: CheckpointLedger, invalidCompleted: Int, looseEnds: [LooseEnds.Open]) -> InstanceVerification {
        var v = InstanceVerification(instance: id, records: ledger.records, firstSequence: ledger.runs.first?.lower ?? 0,
                                     lastSequence: ledger.runs.last?.upper ?? 0)
        var expected: UInt64 = 1
        for run in ledger.runs {
            if run.lower > expected { v.gaps.append(SequenceRanges.Range(lower: expected, upper: run.lower - 1)) }
            expected = run.upper &+ 1
        }
        v.duplicates = ledger.duplicates.ranges
        v.duplicateRecords = ledger.duplicateCount
        v.invalidCompletedRecords = invalidCompleted
        v.looseEnds = looseEnds
        var below = MetricCounters()
        for (k, run) in ledger.runs.enumerated() {
            let complete = k == 0 && run.lower == 1
            for (j, cp) in run.checkpoints.enumerated() {
                v.checkpoints += 1
                var recomputed = below
                recomputed.merge(cp.prefix)
                let diffs = FieldDifference.between(logged: cp.logged, recomputed: recomputed)
                if diffs.isEmpty {
                    v.verified += 1
                    continue
                }
                // Part of the log is missing below this checkpoint: its growth since the previous
                // checkpoint of the same run can still be proven.
                if !complete, j > 0 {
                    let previous = run.checkpoints[j - 1]
                    if FieldDifference.between(logged: cp.logged.minus(previous.logged), recomputed: cp.prefix.minus(previous.prefix)).isEmpty {
                        v.verifiedSincePrevious += 1
                        continue
                    }
                }
                v.disagreeing += 1
                if v.firstDisagreement == nil {
                    v.firstDisagreement = CheckpointDisagreement(
                        sequence: cp.sequence, location: cp.location,
                        timestamp: cp.timestampMicros.map { WallClock.iso8601(micros: $0) },
                        recordsMissingBelow: !complete, fields: diffs)
                }
            }
            below.merge(run.sum)
        }
        return v
    }
}

extension MetricCounters {
    func minus(_ o: MetricCounters) -> MetricCounters {
        var r = self
        r.requests -= o.requests
        r.errors -= o.errors
        r.inputTokens -= o.inputTokens
        r.outputTokens -= o.outputTokens
        r.cacheReadTokens -= o.cacheReadTokens
        r.cacheCreationTokens -= o.cacheCreationTokens
        r.toolUses -= o.toolUses
        r.toolResults -= o.toolResults
        r.toolCalls -= o.toolCalls
        r.durationNanos -= o.durationNanos
        r.inFlight -= o.inFlight
        return r
    }
}
