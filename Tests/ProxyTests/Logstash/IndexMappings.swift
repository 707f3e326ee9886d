import LogPipeline
import VDMProxy

/// The field mappings of an Elasticsearch component template, flattened to dotted paths, and the
/// dynamic templates that map fields not listed (ES docs: "Dynamic templates").
struct IndexMappings {
    struct DynamicTemplate {
        var name: String
        var pathMatch: String?
        var matchMappingType: String?
        var type: String
    }

    /// Dotted path → `type` of every mapped leaf (and of objects that state one).
    var types: [String: String] = [:]
    var dynamicTemplates: [DynamicTemplate] = []

    init(componentTemplate: JSONValue) throws {
        guard let mappings = componentTemplate["template"]?["mappings"] else { throw TestFailure("no template.mappings") }
        try walk(mappings["properties"], prefix: "")
        for entry in mappings["dynamic_templates"]?.array ?? [] {
            guard let (name, body) = entry.object?.first, let type = body["mapping"]?["type"]?.string else {
                throw TestFailure("malformed dynamic template \(entry)")
            }
            dynamicTemplates.append(.init(name: name, pathMatch: body["path_match"]?.string, matchMappingType: body["match_mapping_type"]?.string, type: type))
        }
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

    /// The mapping Elasticsearch would use for a value at `path` with the JSON type `kind`
    /// (`string`, `long`, `boolean`, `double`, as `match_mapping_type` names them), and what decided it.
    func mapping(of path: String, kind: String) -> (type: String, by: String)? {
        if let type = types[path] { return (type, "properties") }
        for template in dynamicTemplates {
            if let glob = template.pathMatch, !WildcardPattern(glob, caseSensitive: true).matches(path) { continue }
            if let match = template.matchMappingType, match != "*", match != kind { continue }
            return (template.type, "dynamic template \(template.name)")
        }
        return nil
    }

    /// Mapping types that index a JSON value of `kind` as what it is.
    static let compatible: [String: Set<String>] = [
        "long": ["long", "integer", "short", "byte", "unsigned_long"],
        "double": ["double", "float", "half_float", "scaled_float"],
        "boolean": ["boolean"],
        "string": ["keyword", "constant_keyword", "wildcard", "text", "match_only_text"],
    ]
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
