public import Foundation

/// Rendering a replay state: the totals document (optionally per instance) and the state file.
public enum ReplayOutput {
    /// The totals in `format`; with `byInstance`, the whole first and then one document per
    /// `service.node.name` (YAML: documents separated by `---`; JSON: `{"all": …, "instances": {…}}`).
    /// Throws when a total of the inputs together would pass `RecordBounds.total`.
    public static func document(_ state: ReplayState, format: TotalsFormat, filter: TotalsFilter = TotalsFilter(),
                                byInstance: Bool = false, generatedMicros: Int64) throws(SumError) -> String {
        let all = format.render(try state.runningTotals(filter: filter), generatedMicros: generatedMicros)
        guard byInstance else { return all }
        let ids = state.instances.keys.sorted()
        switch format {
        case .yaml:
            var out = all
            for id in ids {
                out += "---\n# Instance: " + LineEscaper.escaped(id) + "\n"
                out += format.render(try state.runningTotals(filter: filter, instance: id), generatedMicros: generatedMicros)
            }
            return out
        case .json:
            var out = "{\"all\":" + all.dropLast() + ",\"instances\":{"
            for (i, id) in ids.enumerated() {
                if i > 0 { out += "," }
                var key: [UInt8] = []
                JSONBytes.appendKey(id, to: &key)
                out += String(decoding: key, as: UTF8.self)
                out += format.render(try state.runningTotals(filter: filter, instance: id), generatedMicros: generatedMicros).dropLast()
            }
            return out + "}}\n"
        }
    }

    /// The state as JSON (deterministic: sorted keys).
    public static func encode(_ state: ReplayState) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(state)
    }

    /// Largest count of the report kept in a state file (lines, bytes, problems): 2^40, so that
    /// summing more state files than a command line can name cannot overflow.
    public static let maxStoredCount = 1 << 40

    private struct VersionProbe: Decodable { var version: Int }

    /// Decodes and checks a state file (outside input: every count bounded, every total recomputed).
    public static func decode(_ data: Data, path: String) throws(InputError) -> ReplayState {
        let version: Int
        do {
            version = try JSONDecoder().decode(VersionProbe.self, from: data).version
        } catch {
            throw InputError(path: path, reason: "not a vdm replay state file (\(error))")
        }
        guard version == ReplayState.stateVersion else {
            let relation = version > ReplayState.stateVersion ? "newer than" : "older than"
            throw InputError(path: path, reason: "state version \(version) is \(relation) this vdm's \(ReplayState.stateVersion); replay the logs again with this vdm")
        }
        let state: ReplayState
        do {
            state = try JSONDecoder().decode(ReplayState.self, from: data)
        } catch {
            throw InputError(path: path, reason: "not a vdm replay state file (\(error))")
        }
        let bound = 0...maxStoredCount
        let counts = state.inputs.flatMap { [$0.stats.bytes, $0.stats.lines, $0.stats.blankLines] }
            + Array(state.problems.counts.values) + [state.looseEnds.unmatchedCompletionCount]
            + state.instances.values.flatMap { [$0.duplicates, $0.conflicts, $0.unresolvedConflicts] }
        guard counts.allSatisfy(bound.contains), state.inputs.count <= maxStoredCount else {
            throw InputError(path: path, reason: "a count of the state is outside 0…\(maxStoredCount)")
        }
        // Examples are kept per kind; more would make merging quadratic.
        guard state.problems.examples.count <= InputProblems.examplesPerKind * InputProblemKind.allCases.count else {
            throw InputError(path: path, reason: "more problem examples than a state keeps")
        }
        return state
    }

    /// Reads and merges state files (`vdm merge`).
    public static func merge(statePaths: [String]) throws(InputError) -> ReplayState {
        var total = ReplayState()
        for path in statePaths {
            let data: Data
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: path))
            } catch {
                throw InputError(path: path, reason: (error as NSError).localizedDescription)
            }
            total.merge(try decode(data, path: path))
            if let error = total.instances.values.compactMap(\.sumError).first {
                throw InputError(path: path, reason: "\(error)")
            }
        }
        return total
    }
}

/// A one-line progress bar for stderr (shown only when stderr is a terminal and the input is large):
/// bytes read of the total, MB/s, and the time left at that rate.
package struct ProgressLine: Sendable {
    package let total: Int
    package let startMicros: Int64
    /// Inputs smaller than this finish before a line would tell anything.
    package static let defaultThreshold = 64 << 20
    /// Seconds between redraws: at most 4 a second.
    package static let interval = 0.25

    package init(total: Int, startMicros: Int64 = WallClock.nowMicros()) {
        self.total = total
        self.startMicros = startMicros
    }

    package func render(done: Int, nowMicros: Int64 = WallClock.nowMicros()) -> String {
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 0
        let width = 30
        let filled = Int(fraction * Double(width))
        let seconds = max(0.001, Double(nowMicros - startMicros) / 1e6)
        let rate = Double(done) / seconds / 1e6
        return "\r[" + String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled) + "] "
            + String(format: "%3.0f%%  %.0f/%.0f MB  %.0f MB/s  ETA ", fraction * 100, Double(done) / 1e6, Double(total) / 1e6, rate)
            + Self.eta(left: max(0, total - done), bytesPerSecond: Double(done) / seconds) + " "
    }

    /// `m:ss` at the current rate (`--:--` before the first bytes, or past 99 minutes).
    static func eta(left: Int, bytesPerSecond: Double) -> String {
        guard bytesPerSecond > 0 else { return "--:--" }
        let seconds = Double(left) / bytesPerSecond
        guard seconds.isFinite, seconds < 6000 else { return "--:--" }
        let s = Int(seconds.rounded(.up))
        return String(format: "%d:%02d", s / 60, s % 60)
    }

    /// Sizes of the regular files among `paths` (stdin and pipes count 0).
    package static func totalSize(_ paths: [String]) -> Int {
        paths.reduce(0) { sum, path in
            guard path != "-", let attrs = try? FileManager.default.attributesOfItem(atPath: path),
                  let size = attrs[.size] as? NSNumber else { return sum }
            return sum + size.intValue
        }
    }
}
