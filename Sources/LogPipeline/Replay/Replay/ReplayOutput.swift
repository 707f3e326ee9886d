public import Foundation

/// Rendering a replay state: the totals document (optionally per instance) and the state file.
public enum ReplayOutput {
    /// The totals in `format`; with `byInstance`, the whole first and then one document per
    /// `service.instance.id` (YAML: documents separated by `---`; JSON: `{"all": …, "instances": {…}}`).
    public static func document(_ state: ReplayState, format: TotalsFormat, filter: TotalsFilter = TotalsFilter(),
                                byInstance: Bool = false, generatedMicros: Int64) -> String {
        let all = format.render(state.runningTotals(filter: filter), generatedMicros: generatedMicros)
        guard byInstance else { return all }
        let ids = state.instances.keys.sorted()
        switch format {
        case .yaml:
            var out = all
            for id in ids {
                out += "---\n# Instance: " + LineEscaper.escaped(id) + "\n"
                out += format.render(state.runningTotals(filter: filter, instance: id), generatedMicros: generatedMicros)
            }
            return out
        case .json:
            var out = "{\"all\":" + all.dropLast() + ",\"instances\":{"
            for (i, id) in ids.enumerated() {
                if i > 0 { out += "," }
                var key: [UInt8] = []
                JSONBytes.appendKey(id, to: &key)
                out += String(decoding: key, as: UTF8.self)
                out += format.render(state.runningTotals(filter: filter, instance: id), generatedMicros: generatedMicros).dropLast()
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

    public static func decode(_ data: Data, path: String) throws(InputError) -> ReplayState {
        let state: ReplayState
        do {
            state = try JSONDecoder().decode(ReplayState.self, from: data)
        } catch {
            throw InputError(path: path, reason: "not a vdm replay state file (\(error))")
        }
        guard state.version <= ReplayState.stateVersion else {
            throw InputError(path: path, reason: "state version \(state.version) is newer than this vdm's \(ReplayState.stateVersion)")
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
        }
        return total
    }
}

/// A one-line progress bar for stderr (shown only when stderr is a terminal and the input is large).
public struct ProgressLine: Sendable {
    public let total: Int
    public let startMicros: Int64

    public init(total: Int, startMicros: Int64 = WallClock.nowMicros()) {
        self.total = total
        self.startMicros = startMicros
    }

    public func render(done: Int, nowMicros: Int64 = WallClock.nowMicros()) -> String {
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 0
        let width = 30
        let filled = Int(fraction * Double(width))
        let seconds = max(0.001, Double(nowMicros - startMicros) / 1e6)
        let rate = Double(done) / seconds / 1e6
        return "\r[" + String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled) + "] "
            + String(format: "%3.0f%%  %.0f/%.0f MB  %.0f MB/s ", fraction * 100, Double(done) / 1e6, Double(total) / 1e6, rate)
    }

    /// Sizes of the regular files among `paths` (stdin and pipes count 0).
    public static func totalSize(_ paths: [String]) -> Int {
        paths.reduce(0) { sum, path in
            guard path != "-", let attrs = try? FileManager.default.attributesOfItem(atPath: path),
                  let size = attrs[.size] as? NSNumber else { return sum }
            return sum + size.intValue
        }
    }
}
