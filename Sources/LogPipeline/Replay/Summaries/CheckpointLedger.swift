/// One instance's records as contiguous runs of sequence numbers, each holding the sum of its
/// completed requests and, for each checkpoint in it, the sum of the completed requests before
/// the checkpoint within the run. The runs join as missing numbers arrive (out-of-order writers,
/// rotated files in any order), so memory grows with gaps and checkpoints, not with records, and
/// the recomputed totals below any checkpoint are exact.
struct CheckpointLedger {
    struct Checkpoint {
        var sequence: UInt64
        var logged: MetricCounters
        /// Completed requests with a lower sequence within the same run.
        var prefix: MetricCounters
        var location: SourceLocation
        var timestampMicros: Int64?
    }

    struct Run {
        var lower: UInt64
        var upper: UInt64
        var sum = MetricCounters()
        var checkpoints: [Checkpoint] = []
    }

    private(set) var runs: [Run] = []
    private(set) var duplicates = SequenceRanges()
    private(set) var duplicateCount = 0
    private(set) var records = 0

    /// Adds a record; false when its sequence number was already read (then nothing is added).
    mutating func insert(_ seq: UInt64, completed: MetricCounters?, checkpoint: Checkpoint?) -> Bool {
        let k = firstRun(endingAtOrAfter: seq)
        if k < runs.count, runs[k].lower <= seq {
            duplicates.insert(seq)
            duplicateCount += 1
            return false
        }
        records += 1
        let joinsPrevious = k > 0 && runs[k - 1].upper &+ 1 == seq
        let joinsNext = k < runs.count && runs[k].lower == seq &+ 1
        if joinsPrevious {
            append(seq, completed, checkpoint, to: k - 1)
            if joinsNext { join(k - 1) }
        } else if joinsNext {
            prepend(seq, completed, checkpoint, to: k)
        } else {
            var run = Run(lower: seq, upper: seq)
            append(seq, completed, checkpoint, into: &run)
            runs.insert(run, at: k)
        }
        return true
    }

    /// Index of the first run whose upper bound is ≥ seq (runs.count if none); checks the end first.
    private func firstRun(endingAtOrAfter seq: UInt64) -> Int {
        guard let last = runs.last else { return 0 }
        if seq > last.upper { return runs.count }
        var lo = 0, hi = runs.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if runs[mid].upper < seq { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    private mutating func append(_ seq: UInt64, _ completed: MetricCounters?, _ checkpoint: Checkpoint?, to k: Int) {
        append(seq, completed, checkpoint, into: &runs[k])
    }

    private func append(_ seq: UInt64, _ completed: MetricCounters?, _ checkpoint: Checkpoint?, into run: inout Run) {
        if var cp = checkpoint {
            cp.prefix = run.sum
            run.checkpoints.append(cp)
        }
        if let c = completed { run.sum.merge(c) }
        run.upper = seq
    }

    private mutating func prepend(_ seq: UInt64, _ completed: MetricCounters?, _ checkpoint: Checkpoint?, to k: Int) {
        runs[k].lower = seq
        if let c = completed {
            runs[k].sum.merge(c)
            for j in runs[k].checkpoints.indices { runs[k].checkpoints[j].prefix.merge(c) }
        }
        if var cp = checkpoint {
            cp.prefix = MetricCounters()
            runs[k].checkpoints.insert(cp, at: 0)
        }
    }

    /// Joins run k and k+1 (adjacent now).
    private mutating func join(_ k: Int) {
        let next = runs.remove(at: k + 1)
        let below = runs[k].sum
        for var cp in next.checkpoints {
            cp.prefix.merge(below)
            runs[k].checkpoints.append(cp)
        }
        runs[k].sum.merge(next.sum)
        runs[k].upper = next.upper
    }
}
