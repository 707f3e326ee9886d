import LogPipeline
import VDMProxy

/// The field mappings of an Elasticsearch component template, flattened to dotted paths (which types a
/// value indexes as is the real engine's business: SearchEngineTests).
struct IndexMappings {
    /// Dotted path → `type` of every mapped leaf (and of objects that state one).
    var types: [String: String] = [:]

    init(componentTemplate: JSONValue) throws {
        guard let mappings = componentTemplate["template"]?["mappings"] else { throw TestFailure("no template.mappings") }
        try walk(mappings["properties"], prefix: "")
    }

    private mutating func walk(_ properties: JSONValue?, prefix: String) throws {
        for (name, body) in properties?.object ?? [] {
            let path = prefix.isEmpty ? name : prefix + "." + name
            if let type = body["type"]?.string { types[path] = type }
            if let children = body["properties"] { try walk(children, prefix: path) }
            guard body["type"] != nil || body["properties"] != nil else { throw TestFailure("\(path): neither type nor properties") }
        }
    }

    /// Leaf fields (not objects).
    var leaves: [String: String] { types.filter { $0.value != "object" } }
}

/// The JSON kind of each leaf of a record, by dotted path (objects flattened; an array contributes its
/// elements' kinds under its own path, as Elasticsearch indexes arrays).
enum RecordFields {
    static func kinds(_ record: JSONValue) -> [String: Set<String>] {
        var out: [String: Set<String>] = [:]
        func walk(_ path: String, _ value: JSONValue) {
            switch value {
            case .object(let members):
                for (key, child) in members { walk(path.isEmpty ? key : path + "." + key, child) }
            case .array(let items):
                for item in items { walk(path, item) }
            case .null: break
            case .bool: out[path, default: []].insert("boolean")
            case .string: out[path, default: []].insert("string")
            case .number(let text): out[path, default: []].insert(Int64(text) != nil ? "long" : "double")
            }
        }
        walk("", record)
        return out
    }

    /// Paths of the objects above the leaves (`labels`, `gen_ai.usage`, …).
    static func objectPaths(_ leaves: some Collection<String>) -> Set<String> {
        var out: Set<String> = []
        for leaf in leaves {
            var parts = leaf.split(separator: ".").map(String.init)
            while parts.count > 1 {
                parts.removeLast()
                out.insert(parts.joined(separator: "."))
            }
        }
        return out
    }
}
