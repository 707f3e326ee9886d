/// The event fields a pipeline configuration names: in conditions, in the options of the plugins our
/// files use that take field names (mutate `rename`/`convert`/`copy`, json `source`/`target`, date
/// `match`/`target`, the common `remove_field`/`add_field`), and in `%{…}` references inside any string.
struct LogstashFieldReference: Hashable, CustomStringConvertible {
    /// The path as Logstash resolves it: `[a][b.c]` → ["a", "b.c"].
    var path: [String]
    /// What the configuration does with it, e.g. `mutate.rename from`.
    var use: String
    var line: Int

    /// The dotted name Elasticsearch gives the field (`["a", "b.c"]` → `a.b.c`).
    var dotted: String { path.joined(separator: ".") }
    var description: String { "\(dotted) (\(use), line \(line))" }
}

extension LogstashConfig {
    var fieldReferences: [LogstashFieldReference] {
        var out: [LogstashFieldReference] = []
        func add(_ reference: String?, _ use: String, _ line: Int) {
            guard let reference, !reference.isEmpty else { return }
            out.append(.init(path: LogstashEvent.path(reference), use: use, line: line))
        }
        for section in sections {
            func conditions(_ nodes: [Node]) {
                for case .branch(let clauses) in nodes {
                    for clause in clauses {
                        for selector in clause.condition?.selectors ?? [] {
                            out.append(.init(path: selector, use: "condition in \(section.kind)", line: section.line))
                        }
                        conditions(clause.body)
                    }
                }
            }
            conditions(section.body)
        }
        for (_, plugin) in plugins {
            let line = plugin.line
            for (name, value) in plugin.attributes {
                for reference in Self.sprintfReferences(in: value) { add(reference, "\(plugin.name).\(name) %{}", line) }
                switch (plugin.name, name, value) {
                case ("mutate", "rename", .hash(let entries)), ("mutate", "copy", .hash(let entries)):
                    for entry in entries {
                        add(entry.key.text, "mutate.\(name) from", line)
                        add(entry.value.text, "mutate.\(name) to", line)
                    }
                case ("mutate", "convert", .hash(let entries)):
                    for entry in entries { add(entry.key.text, "mutate.convert", line) }
                case ("json", "source", _), ("json", "target", _), ("date", "target", _):
                    add(value.text, "\(plugin.name).\(name)", line)
                case ("date", "match", .array(let items)):
                    add(items.first?.text, "date.match", line)
                case (_, "remove_field", .array(let items)):
                    for item in items { add(item.text, "\(plugin.name).remove_field", line) }
                case (_, "add_field", .hash(let entries)):
                    for entry in entries { add(entry.key.text, "\(plugin.name).add_field", line) }
                default:
                    break
                }
            }
        }
        return out
    }

    /// The `mutate convert` entries, field → type, in file order.
    var conversions: [(field: String, type: String)] {
        plugins.flatMap { _, plugin -> [(field: String, type: String)] in
            guard plugin.name == "mutate", case .hash(let entries)? = plugin.attribute("convert") else { return [] }
            return entries.compactMap { entry in entry.key.text.flatMap { k in entry.value.text.map { (k, $0) } } }
        }
    }

    /// `%{[a][b]}` / `%{field}` inside strings (sprintf), skipping `%{+date}` formats.
    static func sprintfReferences(in value: Value) -> [String] {
        switch value {
        case .string(let s):
            var out: [String] = []
            var rest = Substring(s)
            while let open = rest.range(of: "%{") {
                rest = rest[open.upperBound...]
                guard let close = rest.firstIndex(of: "}") else { break }
                let name = String(rest[..<close])
                if !name.hasPrefix("+") { out.append(name) }
                rest = rest[close...]
            }
            return out
        case .array(let items): return items.flatMap(sprintfReferences)
        case .hash(let entries): return entries.flatMap { sprintfReferences(in: $0.key) + sprintfReferences(in: $0.value) }
        case .plugin(let p): return p.attributes.flatMap { sprintfReferences(in: $0.value) }
        case .number, .bareword: return []
        }
    }
}
