import Foundation
import VDMProxy

/// Evaluates an Elasticsearch search body's query and aggregations over records, as Elasticsearch
/// would over the indexed documents, for the subset the shipped aggregation uses: `bool.filter` of
/// `term` queries; `terms` (by `_key`), `filter`, `sum`, `max` aggregations; keyword runtime fields.
/// Runtime fields are computed by Swift closures (Painless cannot run here): the caller supplies
/// the rule each script implements. Anything else is an error, never silently ignored.
struct AggregationEvaluator {
    struct Bucket {
        var docCount = 0
        var values: [String: Int64] = [:]
        var filters: [String: Bucket] = [:]
        var terms: [String: [String: Bucket]] = [:]
    }

    let body: JSONValue
    let runtimeFields: [String: (JSONValue) -> String?]

    func evaluate(_ records: [JSONValue]) throws -> Bucket {
        let matching = try records.filter { try matches(body["query"], $0) }
        return try aggregate(body["aggs"], matching)
    }

    private func value(_ field: String, _ record: JSONValue) -> JSONValue? {
        if let runtime = runtimeFields[field] { return runtime(record).map { JSONValue.string($0) } }
        return record[field]
    }

    private func matches(_ query: JSONValue?, _ record: JSONValue) throws -> Bool {
        guard let query else { return true }
        guard let (kind, clause) = query.object?.first, query.object?.count == 1 else { throw TestFailure("query: one clause expected") }
        switch kind {
        case "match_all": return true
        case "bool":
            for (occur, clauses) in clause.object ?? [] {
                guard occur == "filter" || occur == "must" else { throw TestFailure("bool.\(occur) not modelled") }
                for sub in clauses.array ?? [clauses] {
                    if try !matches(sub, record) { return false }
                }
            }
            return true
        case "term":
            guard let (field, expected) = clause.object?.first else { throw TestFailure("malformed term") }
            let wanted = expected["value"] ?? expected
            return value(field, record) == wanted
        default: throw TestFailure("query \(kind) not modelled")
        }
    }

    private func aggregate(_ aggs: JSONValue?, _ records: [JSONValue]) throws -> Bucket {
        var bucket = Bucket(docCount: records.count)
        for (name, agg) in aggs?.object ?? [] {
            let kinds = (agg.object ?? []).map(\.key).filter { $0 != "aggs" }
            guard kinds.count == 1, let kind = kinds.first, let spec = agg[kind] else { throw TestFailure("\(name): one aggregation type expected") }
            switch kind {
            case "terms":
                guard let field = spec["field"]?.string, let size = spec["size"]?.int else { throw TestFailure("\(name): terms needs field and size") }
                var groups: [String: [JSONValue]] = [:]
                for record in records {
                    guard let key = value(field, record) else { continue }
                    let text = key.string ?? key.int.map(String.init) ?? "\(key)"
                    groups[text, default: []].append(record)
                }
                guard groups.count <= size else { throw TestFailure("\(name): \(groups.count) buckets exceed size \(size)") }
                var buckets: [String: Bucket] = [:]
                for (key, members) in groups { buckets[key] = try aggregate(agg["aggs"], members) }
                bucket.terms[name] = buckets
            case "filter":
                bucket.filters[name] = try aggregate(agg["aggs"], records.filter { try matches(spec, $0) })
            case "sum", "max":
                guard let field = spec["field"]?.string else { throw TestFailure("\(name): \(kind) needs a field") }
                let numbers = records.compactMap { value(field, $0)?.int }.map(Int64.init)
                bucket.values[name] = kind == "sum" ? numbers.reduce(0, +) : numbers.max()
            default:
                throw TestFailure("\(name): aggregation \(kind) not modelled")
            }
        }
        return bucket
    }
}

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
