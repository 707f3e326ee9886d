import LogPipeline
import VDMProxy

/// Runs the filter sections of a pipeline over an event, modelling the Logstash behaviour our `.conf`
/// files rely on (logstash-filter-mutate, -json and -date sources): mutate `rename`, `convert`,
/// `copy` in that order; json with and without `target`; date `ISO8601` (millisecond precision);
/// the common options `add_tag` and `remove_field`; conditions on field presence and equality.
/// Any other plugin, option or operator is an error: the model must never quietly diverge from
/// what it claims to check.
struct LogstashFilterSimulator {
    struct Unsupported: Error, CustomStringConvertible {
        var description: String
    }

    /// The pipeline's files in path.config order (only their filter sections run).
    let configs: [LogstashConfig]

    func run(_ event: inout LogstashEvent) throws(Unsupported) {
        for config in configs {
            for section in config.sections where section.kind == "filter" {
                try run(section.body, &event)
            }
        }
    }

    private func run(_ nodes: [LogstashConfig.Node], _ event: inout LogstashEvent) throws(Unsupported) {
        for node in nodes {
            switch node {
            case .plugin(let plugin):
                try apply(plugin, &event)
            case .branch(let clauses):
                for clause in clauses {
                    var taken = true
                    if let condition = clause.condition { taken = try holds(condition, event) }
                    if taken {
                        try run(clause.body, &event)
                        break
                    }
                }
            }
        }
    }

    // MARK: Conditions

    private func holds(_ condition: LogstashConfig.Condition, _ event: LogstashEvent) throws(Unsupported) -> Bool {
        switch condition {
        case .selector(let path):
            // Logstash: a field is true unless missing, nil or false.
            switch event.get(path) {
            case nil, .null?, .boolean(false)?: return false
            default: return true
            }
        case .not(let inner):
            return try !holds(inner, event)
        case .combine(let a, let op, let b) where op == "and" || op == "or":
            let left = try holds(a, event), right = try holds(b, event)
            return op == "and" ? left && right : left || right
        case .compare(.selector(let path), let op, .literal(let literal)) where op == "==" || op == "!=":
            let equal = event.get(path).map { Self.equals($0, literal) } ?? false
            return op == "==" ? equal : !equal
        default:
            throw Unsupported(description: "condition not modelled: \(condition)")
        }
    }

    private static func equals(_ value: LogstashEvent.Value, _ literal: LogstashConfig.Value) -> Bool {
        switch (value, literal) {
        case (.integer(let i), .number(let n)): Int64(n) == i
        case (.float(let d), .number(let n)): Double(n) == d
        case (.string(let s), .string(let t)): s == t
        default: false
        }
    }

    // MARK: Plugins

    private static let commonOptions: Set<String> = ["id", "add_tag", "remove_field"]

    private func apply(_ plugin: LogstashConfig.Plugin, _ event: inout LogstashEvent) throws(Unsupported) {
        let modelled: Set<String>
        switch plugin.name {
        case "mutate": modelled = ["rename", "convert", "copy"]
        case "json": modelled = ["source", "target"]
        case "date": modelled = ["match", "target"]
        default: throw Unsupported(description: "filter plugin not modelled: \(plugin.name) (line \(plugin.line))")
        }
        for (name, _) in plugin.attributes where !modelled.contains(name) && !Self.commonOptions.contains(name) {
            throw Unsupported(description: "\(plugin.name) option not modelled: \(name) (line \(plugin.line))")
        }
        let succeeded: Bool
        switch plugin.name {
        case "mutate": succeeded = try mutate(plugin, &event)
        case "json": succeeded = try json(plugin, &event)
        default: succeeded = try date(plugin, &event)
        }
        guard succeeded else { return }
        // Common options run only when the filter succeeded (`filter_matched`).
        for tag in try Self.strings(plugin.attribute("add_tag")) { Self.tag(tag, &event) }
        for field in try Self.strings(plugin.attribute("remove_field")) { event.remove(LogstashEvent.path(field)) }
    }

    private func mutate(_ plugin: LogstashConfig.Plugin, _ event: inout LogstashEvent) throws(Unsupported) -> Bool {
        for (from, to) in try Self.pairs(plugin.attribute("rename")) {
            if let value = event.remove(LogstashEvent.path(from)) { event.set(LogstashEvent.path(to), value) }
        }
        for (field, type) in try Self.pairs(plugin.attribute("convert")) {
            let path = LogstashEvent.path(field)
            guard let value = event.get(path) else { continue }
            event.set(path, try Self.convert(value, to: type))
        }
        for (from, to) in try Self.pairs(plugin.attribute("copy")) {
            if let value = event.get(LogstashEvent.path(from)), value != .null { event.set(LogstashEvent.path(to), value) }
        }
        return true
    }

    /// logstash-filter-mutate `convert_integer` / `convert_boolean` / `convert_string` on the values a
    /// journal can hold (text).
    private static func convert(_ value: LogstashEvent.Value, to type: String) throws(Unsupported) -> LogstashEvent.Value {
        switch (type, value) {
        case ("integer", .string(let s)):
            // Ruby's String#to_i: leading digits, else 0.
            let digits = s.trimmingPrefix(while: { $0 == " " }).prefix { $0.isNumber || $0 == "-" }
            return .integer(Int64(digits) ?? 0)
        case ("integer", .integer): return value
        case ("boolean", .string(let s)):
            if ["true", "t", "yes", "y", "1", "1.0"].contains(s.lowercased()) { return .boolean(true) }
            if s.isEmpty || ["false", "f", "no", "n", "0", "0.0"].contains(s.lowercased()) { return .boolean(false) }
            return value
        case ("boolean", .boolean): return value
        case ("string", .string): return value
        case ("string", .integer(let i)): return .string(String(i))
        default: throw Unsupported(description: "convert \(value) to \(type) not modelled")
        }
    }

    private func json(_ plugin: LogstashConfig.Plugin, _ event: inout LogstashEvent) throws(Unsupported) -> Bool {
        guard let source = plugin.attribute("source")?.text else { throw Unsupported(description: "json without source") }
        guard let raw = event.get(LogstashEvent.path(source)) else { return false }
        guard case .string(let text) = raw, let parsed = try? JSONValue.parse(text), parsed.object != nil else {
            Self.tag("_jsonparsefailure", &event)
            return false
        }
        if let target = plugin.attribute("target")?.text {
            event.set(LogstashEvent.path(target), LogstashEvent.Value(parsed))
        } else {
            // Every key at the root as it is; @timestamp coerced to a time (json.rb).
            for (key, value) in LogstashEvent(record: parsed).fields { event.fields[key] = value }
        }
        return true
    }

    private func date(_ plugin: LogstashConfig.Plugin, _ event: inout LogstashEvent) throws(Unsupported) -> Bool {
        guard case .array(let match)? = plugin.attribute("match"), let field = match.first?.text,
              match.dropFirst().map(\.text) == ["ISO8601"]
        else { throw Unsupported(description: "date match other than [field, \"ISO8601\"]") }
        guard case .string(let text)? = event.get(LogstashEvent.path(field)) else { return false }
        guard let micros = WallClock.parseISO8601(text) else {
            Self.tag("_dateparsefailure", &event)
            return false
        }
        // The date filter keeps milliseconds (its `precision` option is newer than most installs).
        let target = plugin.attribute("target")?.text ?? "@timestamp"
        event.set(LogstashEvent.path(target), .timestamp(micros: micros - ((micros % 1000) + 1000) % 1000))
        return true
    }

    // MARK: Values

    private static func tag(_ tag: String, _ event: inout LogstashEvent) {
        var tags: [LogstashEvent.Value] = []
        if case .array(let existing)? = event.fields["tags"] { tags = existing }
        if !tags.contains(.string(tag)) { tags.append(.string(tag)) }
        event.fields["tags"] = .array(tags)
    }

    private static func strings(_ value: LogstashConfig.Value?) throws(Unsupported) -> [String] {
        switch value {
        case nil: return []
        case .string(let s)?: return [s]
        case .array(let items)?:
            return try items.map { (item) throws(Unsupported) in
                guard let text = item.text else { throw Unsupported(description: "expected strings, got \(item)") }
                return text
            }
        default: throw Unsupported(description: "expected a string or an array of strings")
        }
    }

    private static func pairs(_ value: LogstashConfig.Value?) throws(Unsupported) -> [(String, String)] {
        guard let value else { return [] }
        guard case .hash(let entries) = value else { throw Unsupported(description: "expected a hash") }
        return try entries.map { (entry) throws(Unsupported) in
            guard let key = entry.key.text, let target = entry.value.text else { throw Unsupported(description: "expected string pairs") }
            return (key, target)
        }
    }
}
