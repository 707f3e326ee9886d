/// Samples of a Prometheus text exposition, for comparing numbers.
struct PrometheusSamples {
    struct Sample {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    let samples: [Sample]
    /// Metric family names from the `# TYPE` lines (a histogram's base name, without `_bucket`).
    let families: Set<String>

    init(_ text: String) {
        families = Set(text.split(separator: "\n").compactMap { line in
            line.hasPrefix("# TYPE ") ? line.split(separator: " ").dropFirst(2).first.map(String.init) : nil
        })
        var out: [Sample] = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            let series = line[..<space]
            var labels: [String: String] = [:]
            let name: Substring
            if let brace = series.firstIndex(of: "{") {
                name = series[..<brace]
                var rest = series[series.index(after: brace)...].dropLast()  // drop "}"
                while let eq = rest.firstIndex(of: "=") {
                    let key = String(rest[..<eq])
                    var i = rest.index(eq, offsetBy: 2)  // skip ="
                    var value = ""
                    while i < rest.endIndex, rest[i] != "\"" {
                        if rest[i] == "\\", rest.index(after: i) < rest.endIndex {
                            i = rest.index(after: i)
                            value.append(rest[i] == "n" ? "\n" : rest[i])
                        } else {
                            value.append(rest[i])
                        }
                        i = rest.index(after: i)
                    }
                    labels[key] = value
                    rest = rest[min(rest.endIndex, rest.index(after: i))...]
                    if rest.first == "," { rest = rest.dropFirst() }
                }
            } else {
                name = series
            }
            out.append(Sample(name: String(name), labels: labels, value: value))
        }
        samples = out
    }

    func sum(_ name: String, where predicate: ([String: String]) -> Bool = { _ in true }) -> Double {
        samples.filter { $0.name == name && predicate($0.labels) }.reduce(0) { $0 + $1.value }
    }
}
