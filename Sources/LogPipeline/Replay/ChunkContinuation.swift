/// `vdm replay -j N` reads the chunks of one large JSON-lines file at once, each into its own state,
/// and must print what one reader of the file prints (`-j 1`).
///
/// The invariant: every decision that depends on the order of the lines — which copy of an
/// (instance, sequence) is the first and counts, which request a start or completion pairs with,
/// an open request's last record, which request the totals bound refuses, which names share a
/// capped bucket — is taken as one reader takes it, in the order of the input. Chunks are appended
/// to their file's state in file order (`ParallelWork.foldInOrder`), so the state a chunk is appended
/// to is always exactly the one reader's state after the lines before it; `continued(by:)` then
/// either proves, from the facts the chunk kept (`ChunkFacts`), that the chunk's own state changes
/// that state as its lines would, or returns nil, and the chunk is read again on top of it
/// (`ReplayAccumulator(resuming:)`: the one reader itself). Files are merged in path order, as
/// `-j 1` merges them. Nothing is approximated: the fast path only skips a second read.
extension ReplayState {
    /// This state (a file's lines up to a chunk) with the chunk's appended, or nil when the chunk's
    /// state cannot prove that it equals one reader's: a sequence number read on both sides (a
    /// repeat across the split: the chunk did not know its copy was not the first), a completed
    /// request the totals bound refused in the chunk or a sum that passes it together, a shared
    /// block whose names reach a cap, or loose ends the chunk cannot settle (`LooseEnds.continued`).
    func continued(by next: ReplayState) -> ReplayState? {
        guard let facts = next.looseEnds.chunk, !facts.sumRefused,
              let looseEnds = looseEnds.continued(by: next.looseEnds) else { return nil }
        var result = self
        result.looseEnds = looseEnds
        for (id, theirs) in next.instances {
            guard var mine = instances[id] else {
                result.instances[id] = theirs
                continue
            }
            guard mine.sumError == nil, theirs.sumError == nil, !mine.sequences.intersects(theirs.sequences) else { return nil }
            do throws(SumError) { _ = try mine.totals.adding(theirs.totals) } catch { return nil }
            let shared = theirs.blocks.keys.filter { mine.blocks[$0] != nil }
            var findings = RecordBlock.MergeFindings()
            mine.merge(theirs, findings: &findings)
            guard findings.duplicates.isEmpty, findings.conflicts.isEmpty, findings.unresolved == 0, mine.sumError == nil,
                  !shared.contains(where: { mine.blocks[$0]?.aggregate.reachesCap ?? true }) else { return nil }
            result.instances[id] = mine
        }
        // Examples are the smallest locations of each kind, whatever the order they come in.
        result.problems.merge(next.problems)
        return result
    }
}

extension ReplayState {
    /// Moves every position in `file` on by `lines`: a chunk read with line numbers of its own
    /// (first line 1) gets the whole file's, once the lines before it are counted (`InOrderMerge`).
    /// Every location a state holds: record slots, open requests, the chunk's orphans, problem
    /// examples and the positions their details name. Order within the file is kept, so whatever
    /// the chunk chose by position (the first copy, the smallest examples) stays chosen.
    mutating func shift(by lines: Int, in file: String) {
        guard lines != 0 else { return }
        for id in instances.keys { instances[id]?.shift(by: lines, in: file) }
        looseEnds.shift(by: lines, in: file)
        problems.shift(by: lines, in: file)
    }
}

extension MetricsAggregate {
    /// Whether a name was put in the overflow bucket (then which names share it depends on the
    /// order they were added in).
    var reachesCap: Bool {
        let other = AggregateLimits.overflowKey
        return providers[other] != nil || errorCounts[other] != nil || providers.values.contains { $0.models[other] != nil }
    }
}
