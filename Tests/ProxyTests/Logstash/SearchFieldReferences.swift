import Foundation
@testable import VDMProxy

/// The fields a search body reads: `field` of aggregations, the fields of `term`/`range`/`exists`
/// queries, `doc['…']` in scripts; and the runtime fields it defines itself.
struct SearchFieldReferences {
    var fields: Set<String> = []
    var scriptFields: [String: Set<String>] = [:]
    var runtimeFields: Set<String> = []

    init(_ body: JSONValue) {
        for (name, definition) in body["runtime_mappings"]?.object ?? [] {
            runtimeFields.insert(name)
            scriptFields[name] = Self.docFields(definition["script"]?["source"]?.string ?? "")
        }
        walk(body)
    }

    private mutating func walk(_ value: JSONValue) {
        guard case .object(let members) = value else {
            for item in value.array ?? [] { walk(item) }
            return
        }
        for (key, child) in members {
            switch key {
            case "runtime_mappings": continue
            case "field": if let f = child.string { fields.insert(f) }
            case "term", "range", "prefix", "match":
                for (field, _) in child.object ?? [] { fields.insert(field) }
                continue
            case "exists": if let f = child["field"]?.string { fields.insert(f) }
            default: break
            }
            walk(child)
        }
    }

    static func docFields(_ source: String) -> Set<String> {
        var out: Set<String> = []
        var rest = Substring(source)
        while let open = rest.range(of: "doc['") {
            rest = rest[open.upperBound...]
            guard let close = rest.firstIndex(of: "'") else { break }
            out.insert(String(rest[..<close]))
            rest = rest[close...]
        }
        return out
    }
}
