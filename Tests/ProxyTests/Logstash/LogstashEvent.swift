import Foundation
import LogPipeline
import VDMProxy

/// A Logstash event as the simulator sees it: a tree of fields. Keys may contain dots: the json codec
/// keeps `"log.level"` as one top-level key, distinct from `[log][level]` (Elasticsearch expands both
/// to the same field at index time, which `flattened` reproduces).
struct LogstashEvent: Equatable, Sendable {
    indirect enum Value: Equatable, Sendable, CustomStringConvertible {
        case null
        case string(String)
        case integer(Int64)
        case float(Double)
        case boolean(Bool)
        /// `@timestamp`: Logstash keeps a time, not text.
        case timestamp(micros: Int64)
        case array([Value])
        case object([String: Value])

        var description: String {
            switch self {
            case .null: "null"
            case .string(let s): "\"\(s)\""
            case .integer(let i): "\(i)"
            case .float(let d): "\(d)"
            case .boolean(let b): "\(b)"
            case .timestamp(let m): WallClock.iso8601(micros: m)
            case .array(let a): "[" + a.map(\.description).joined(separator: ", ") + "]"
            case .object(let o): "{" + o.keys.sorted().map { "\($0): \(o[$0]?.description ?? "")" }.joined(separator: ", ") + "}"
            }
        }

        init(_ json: JSONValue) {
            switch json {
            case .null: self = .null
            case .bool(let b): self = .boolean(b)
            case .number(let text):
                if let i = Int64(text) { self = .integer(i) } else { self = .float(Double(text) ?? .nan) }
            case .string(let s): self = .string(s)
            case .array(let items): self = .array(items.map(Value.init))
            case .object(let members):
                var out: [String: Value] = [:]
                for (key, value) in members { out[key] = Value(value) }
                self = .object(out)
            }
        }
    }

    var fields: [String: Value] = [:]

    /// An event made from one JSON object the way the json codec/filter does it: every key at the
    /// top level as it is, `@timestamp` parsed into a time.
    init(record: JSONValue) {
        for (key, value) in record.object ?? [] { fields[key] = Value(value) }
        if case .string(let text)? = fields["@timestamp"], let micros = WallClock.parseISO8601(text) {
            fields["@timestamp"] = .timestamp(micros: micros)
        }
    }

    init(fields: [String: Value] = [:]) { self.fields = fields }

    /// A field reference's path: `[a][b.c]` → ["a", "b.c"]; a bare `a.b` is one top-level key.
    static func path(_ reference: String) -> [String] {
        guard reference.hasPrefix("[") else { return [reference] }
        return reference.dropFirst().dropLast().components(separatedBy: "][")
    }

    func get(_ path: [String]) -> Value? {
        guard let first = path.first else { return nil }
        var current = fields[first]
        for key in path.dropFirst() {
            guard case .object(let o)? = current else { return nil }
            current = o[key]
        }
        return current
    }

    mutating func set(_ path: [String], _ value: Value) {
        guard let first = path.first else { return }
        fields[first] = Self.setting(fields[first], Array(path.dropFirst()), value)
    }

    @discardableResult
    mutating func remove(_ path: [String]) -> Value? {
        guard let first = path.first else { return nil }
        if path.count == 1 { return fields.removeValue(forKey: first) }
        guard let (updated, removed) = Self.removing(fields[first], Array(path.dropFirst())) else { return nil }
        fields[first] = updated
        return removed
    }

    private static func setting(_ node: Value?, _ rest: [String], _ value: Value) -> Value {
        guard let key = rest.first else { return value }
        var object: [String: Value] = [:]
        if case .object(let o)? = node { object = o }
        object[key] = setting(object[key], Array(rest.dropFirst()), value)
        return .object(object)
    }

    private static func removing(_ node: Value?, _ rest: [String]) -> (Value, Value)? {
        guard case .object(var o)? = node, let key = rest.first else { return nil }
        if rest.count == 1 {
            guard let removed = o.removeValue(forKey: key) else { return nil }
            return (.object(o), removed)
        }
        guard let (updated, removed) = removing(o[key], Array(rest.dropFirst())) else { return nil }
        o[key] = updated
        return (.object(o), removed)
    }

    /// Leaf fields by dotted path, as Elasticsearch sees the document (`"a.b"` and `[a][b]` are one
    /// field). Two different values landing on one path are a conflict the caller should see.
    var flattened: [String: Value] {
        var out: [String: Value] = [:]
        func walk(_ prefix: String, _ value: Value) {
            if case .object(let o) = value {
                for (key, child) in o { walk(prefix.isEmpty ? key : prefix + "." + key, child) }
            } else {
                out[prefix] = out[prefix] == nil || out[prefix] == value ? value : .array([out[prefix] ?? value, value])
            }
        }
        for (key, value) in fields { walk(key, value) }
        return out
    }
}
