/// Puts a Prometheus text exposition into one canonical order: families by name, the series of a
/// family by their label text. swift-prometheus writes in dictionary order, which changes from
/// process to process; a fixed order makes `/metrics` and `vdm replay --format prometheus` comparable
/// byte for byte and lets the replay's output be kept as a fixture. Every line is kept as written;
/// a histogram's lines (buckets, `_sum`, `_count`) stay together and in their order.
package enum ExpositionOrder {
    private struct Family {
        var header: [ArraySlice<UInt8>] = []
        /// Runs of consecutive sample lines of one series, keyed by their labels without `le`.
        var series: [(key: ArraySlice<UInt8>, lines: [ArraySlice<UInt8>])] = []

        package mutating func add(_ line: ArraySlice<UInt8>, key: ArraySlice<UInt8>) {
            if let last = series.indices.last, series[last].key == key {
                series[last].lines.append(line)
            } else {
                series.append((key, [line]))
            }
        }
    }

    package static func canonical(_ text: [UInt8]) -> [UInt8] {
        var families: [ArraySlice<UInt8>: Family] = [:]
        var current: ArraySlice<UInt8> = []
        for line in text.split(separator: newline) {
            if let name = headerName(line) {
                current = name
                families[name, default: Family()].header.append(line)
                continue
            }
            families[current, default: Family()].add(line, key: seriesKey(line))
        }
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        for name in families.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            guard let family = families[name] else { continue }
            for line in family.header { append(line, to: &out) }
            for series in family.series.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
                for line in series.lines { append(line, to: &out) }
            }
        }
        return out
    }

    /// `text` without the families named (their `# HELP`/`# TYPE` lines and the samples after them).
    package static func removing(families names: [String], from text: String) -> String {
        let names = Set(names.map { Array($0.utf8)[...] })
        var out: [UInt8] = []
        var skipping = false
        for line in Array(text.utf8).split(separator: newline) {
            if let name = headerName(line) { skipping = names.contains(name) }
            if !skipping { append(line, to: &out) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static let newline = UInt8(ascii: "\n")
    private static let helpPrefix = Array("# HELP ".utf8)
    private static let typePrefix = Array("# TYPE ".utf8)

    private static func append(_ line: ArraySlice<UInt8>, to out: inout [UInt8]) {
        out.append(contentsOf: line)
        out.append(newline)
    }

    /// The family name of a `# HELP` or `# TYPE` line.
    private static func headerName(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        guard line.starts(with: helpPrefix) || line.starts(with: typePrefix) else { return nil }
        let rest = line.dropFirst(helpPrefix.count)
        return rest.prefix { $0 != UInt8(ascii: " ") }
    }

    /// The text between a sample's braces (empty without labels), without a trailing `le` label:
    /// the registry writes `le` last, and its value (a number or `+Inf`) never holds a quote.
    package static func seriesKey(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        guard let open = line.firstIndex(where: { $0 == UInt8(ascii: "{") || $0 == UInt8(ascii: " ") }),
              line[open] == UInt8(ascii: "{") else { return [] }
        var i = line.index(after: open)
        var quoted = false
        while i < line.endIndex {
            let byte = line[i]
            if quoted && byte == UInt8(ascii: "\\") {
                i = line.index(i, offsetBy: 2, limitedBy: line.endIndex) ?? line.endIndex
                continue
            }
            if byte == UInt8(ascii: "\"") { quoted.toggle() }
            if !quoted && byte == UInt8(ascii: "}") { break }
            i += 1
        }
        let labels = line[line.index(after: open)..<i]
        return withoutLE(labels)
    }

    private static let lePrefix = Array("le=\"".utf8)

    private static func withoutLE(_ labels: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        guard labels.last == UInt8(ascii: "\""),
              let valueQuote = labels.dropLast().lastIndex(of: UInt8(ascii: "\"")) else { return labels }
        let start = valueQuote - (lePrefix.count - 1)
        guard start >= labels.startIndex, labels[start..<(valueQuote + 1)].elementsEqual(lePrefix) else { return labels }
        if start == labels.startIndex { return labels[start..<start] }
        guard labels[start - 1] == UInt8(ascii: ",") else { return labels }
        return labels[labels.startIndex..<(start - 1)]
    }
}
