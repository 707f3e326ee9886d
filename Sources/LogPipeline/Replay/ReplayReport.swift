/// The human report of a replay (what was read, used and not), written to stderr so stdout holds
/// only the totals document.
public enum ReplayReport {
    public static let maxLooseEndsListed = 20

    public static func text(_ state: ReplayState) -> String {
        var out = ""
        let bytes = state.inputs.reduce(0) { $0 + $1.stats.bytes }
        let lines = state.inputs.reduce(0) { $0 + $1.stats.lines }
        let duplicates = state.problems.count(.duplicateRecord)
        let conflicts = state.problems.count(.conflictingRecord)
        let usage = Usage(state)
        out += "replay: \(state.inputs.count) input(s), \(lines) lines, \(bytes) bytes; "
        out += "\(usage.used) records used, \(usage.notUsed) lines or records not used"
        if duplicates > 0 { out += ", \(duplicates) repeated record(s) dropped (each counted once)" }
        if conflicts > 0 { out += ", \(conflicts) conflicting record(s) (same instance and sequence, different content)" }
        if state.looseEnds.count > 0 { out += ", \(state.looseEnds.count) request(s) never completed" }
        out += "\n"
        for input in state.inputs {
            var notes: [String] = [input.stats.format.rawValue]
            if input.stats.compressed { notes.append("gzip") }
            if input.stats.blankLines > 0 { notes.append("\(input.stats.blankLines) blank lines") }
            out += "  input \(input.path): \(input.stats.lines) lines, \(input.stats.bytes) bytes (\(notes.joined(separator: ", ")))\n"
        }
        for id in state.instances.keys.sorted() {
            guard let l = state.instances[id] else { continue }
            var line = "  instance \(id): \(l.records) records (\(l.completed) completed requests, \(l.started) started, "
            line += "\(l.checkpoints) checkpoints, \(l.other) other), sequence \(l.sequences.first ?? 0)…\(l.sequences.last ?? 0)"
            let gaps = l.sequences.gaps
            if !gaps.isEmpty {
                line += ", \(gaps.reduce(0) { $0 + $1.count }) missing in \(gaps.count) gap(s) (see vdm summaries)"
            }
            if l.duplicates > 0 { line += ", \(l.duplicates) repeat(s) dropped" }
            if l.conflicts > 0 { line += ", \(l.conflicts) conflict(s)" }
            if l.unresolvedConflicts > 0 { line += " (\(l.unresolvedConflicts) not resolvable from partial states: replay those inputs in one run)" }
            if let error = l.sumError { line += ", totals refused: \(error)" }
            out += line + "\n"
        }
        out += problemsText(state.problems)
        out += looseEndsText(state.looseEnds)
        return out
    }

    /// How much of the input went into the result (the report's first line; `vdm demo` prints it too).
    public struct Usage: Sendable, Equatable {
        /// Records with a valid envelope that were used (sequence-checked, completions in the totals).
        public var used: Int
        /// Lines or records not used, each with its problem (identical repeats are not counted here:
        /// their first copy is used).
        public var notUsed: Int

        public init(_ state: ReplayState) {
            used = state.recordsRead - ReplayReport.unusedRecords(state)
            notUsed = state.problems.total - state.problems.count(.duplicateRecord)
        }
    }

    /// Records with a valid envelope that were nonetheless not used (their problem is listed).
    static func unusedRecords(_ state: ReplayState) -> Int {
        state.problems.count(.invalidRecord) + state.problems.count(.unknownAction) + state.problems.count(.outOfBounds)
    }

    public static func problemsText(_ problems: InputProblems) -> String {
        guard !problems.isEmpty else { return "" }
        let kinds = problems.counts.keys.sorted()
        var out = "  problems: " + kinds.map { "\(problems.count($0)) \($0.label)" }.joined(separator: ", ") + "\n"
        for example in problems.examples {
            out += "    \(example.location): \(example.kind.label): \(example.detail)\n"
        }
        let shown = problems.examples.count
        if shown < problems.total { out += "    (\(problems.total - shown) more not listed)\n" }
        return out
    }

    public static func looseEndsText(_ loose: LooseEnds) -> String {
        guard loose.count > 0 else { return "" }
        var out = "  started but never completed (not in the totals): \(loose.count)\n"
        for entry in loose.sorted.prefix(maxLooseEndsListed) {
            out += "    instance \(entry.key.instance) request \(entry.key.requestID): started \(entry.started.location)"
            if let t = entry.started.timestampMicros { out += " at " + WallClock.iso8601(micros: t) }
            out += " (\(entry.provider.isEmpty ? "?" : entry.provider) / \(entry.requestedModel))\n"
            let last = entry.lastRecord
            out += "      last record: \(last.location) seq \(last.sequence) \(last.level) \(last.action ?? last.logger): \(LineEscaper.escaped(last.message))\n"
        }
        if loose.count > maxLooseEndsListed { out += "    (\(loose.count - maxLooseEndsListed) more not listed)\n" }
        if loose.completionsOverflowed {
            out += "    note: over \(LooseEnds.maxUnmatchedCompletions) completions had no start in the same input; some listed requests may have completed in another input\n"
        }
        return out
    }
}
