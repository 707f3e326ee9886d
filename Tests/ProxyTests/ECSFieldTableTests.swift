import Foundation
import Logging
import LogPipeline
import Testing
@testable import VDMProxy

/// Every key vdm writes into a JSON record, of every record kind, against Elastic's own ECS field
/// table (fixtures/ecs, from elastic/ecs `generated/ecs/ecs_flat.yml`) of the version the record
/// declares in `ecs.version`: an ECS field whose type fits the JSON value, or a field under `vdm.*`.
/// The oracle is the table, not vdm's code.
@Suite struct ECSFieldTableTests {
    /// One ECS version's fields: name → (Elasticsearch type, normalize hints).
    struct ECSTable {
        var fields: [String: (type: String, normalize: String)] = [:]

        static func load(version: String) throws -> ECSTable {
            let path = DemoFixtureTests.root.appendingPathComponent("fixtures/ecs/ecs-fields-v\(version).tsv").path
            var table = ECSTable()
            for row in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").dropFirst() {
                let cells = row.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
                guard cells.count >= 3 else { throw TestFailure("\(path): bad row \(row)") }
                table.fields[cells[0]] = (cells[1], cells.count > 3 ? cells[3] : "")
            }
            guard table.fields.count > 1_000 else { throw TestFailure("\(path): only \(table.fields.count) fields") }
            return table
        }

        /// Why `key` with value `value` is not a fitting ECS (or `vdm.*`) field, or nil when it is.
        func problem(_ key: String, _ value: JSONValue) -> String? {
            if key.hasPrefix("vdm.") { return fields[key] == nil ? nil : "\(key) is under vdm.* and in ECS" }
            guard let field = fields[key] else { return "\(key) is not an ECS field" }
            let fits: Bool = switch value {
            case .string: ["keyword", "match_only_text", "wildcard", "text", "constant_keyword", "date", "ip"].contains(field.type)
            case .number(let n): !n.contains(where: { ".eE".contains($0) }) ? ["long", "integer", "short", "byte", "unsigned_long"].contains(field.type)
                : ["double", "float", "scaled_float", "half_float"].contains(field.type)
            case .bool: field.type == "boolean"
            case .object: ["object", "flattened"].contains(field.type)
            case .array: field.normalize.contains("array")
            case .null: false
            }
            return fits ? nil : "\(key): ECS type \(field.type) does not fit the value \(value.compactText)"
        }
    }

    /// `record`'s keys with their values (objects other than `labels` do not occur: keys are dotted).
    static func members(_ line: String) throws -> [(key: String, value: JSONValue)] {
        guard case .object(let members) = try JSONValue.parse(line) else { throw TestFailure("not an object: \(line)") }
        return members
    }

    /// Problems of every member of `line`, against the table of its own `ecs.version` (or `version`).
    static func problems(_ line: String, tables: inout [String: ECSTable], version forced: String? = nil) throws -> [String] {
        let members = try members(line)
        guard case .string(let declared)? = members.first(where: { $0.key == "ecs.version" })?.value else { return ["no ecs.version: \(line)"] }
        let version = forced ?? declared
        if tables[version] == nil { tables[version] = try ECSTable.load(version: version) }
        let table = tables[version] ?? ECSTable()
        var found: [String] = []
        for (key, value) in members {
            if let p = table.problem(key, value) { found.append(p) }
            // labels is an object of keywords in ECS; each label is `labels.<key>`.
            if key == "labels", case .object(let labels) = value {
                for (label, v) in labels {
                    guard case .string = v else { found.append("labels.\(label) is not a string"); continue }
                    if label.contains(".") { found.append("labels.\(label): a dot in a label key") }
                }
            }
        }
        return found
    }

    /// One record of each kind vdm writes, through the real encoder, with every optional part set:
    /// started, completed (failure with every optional value, and success), checkpoint, summary
    /// lines, and a plain line with labels, an error, a relabelled level, the trace ids and origin.
    static func everyKindOfRecord() -> [String] {
        let failure = CompletedRecordSchemaTests.failure, success = CompletedRecordSchemaTests.success
        let trace = TraceIDs(traceID: "4bf92f3577b34da6a3ce929d0e0e4736", spanID: "00f067aa0ba902b7")
        struct Boom: Error {}
        func record(_ payload: (any StructuredPayload)?, metadata: Logger.Metadata = [:], error: (any Error)? = nil,
                    original: Logger.Level? = nil) -> LogRecord {
            LogRecord(timestampMicros: 1_795_907_289_582_331, level: .info, originalLevel: original, message: "m", logger: "vdm.request",
                      instanceID: "0b5e0c7e-7b8a-4a8c-9d55-1f3f7f2c8a11", sequence: 7, correlationID: failure.requestID, trace: trace,
                      payload: payload, metadata: metadata, error: error, file: "F.swift", function: "f()", line: 3)
        }
        let encoder = ECSJSONEncoder(includeOrigin: true)
        var totals = MetricCounters()
        totals.requests = 3
        return [
            record(RequestStartedPayload(metrics: failure, toolsDefined: 2, maxTokens: 1_024)),
            record(RequestCompletedPayload(metrics: failure)),
            record(RequestCompletedPayload(metrics: success)),
            record(SummaryCheckpointPayload(interval: 10, totals: totals)),
            record(EventMarkerPayload(action: EventAction.summaryModels)),
            record(EventMarkerPayload(action: EventAction.summaryErrors)),
            record(nil, metadata: ["client.name": "x", "attempt": "2"], error: Boom(), original: .debug),
        ].map { encoder.encode($0).trimmingCharacters(in: .newlines) }
    }

    @Test func everyFieldOfEveryRecordKindIsAFittingECSFieldOrVdm() throws {
        var tables: [String: ECSTable] = [:]
        let lines = Self.everyKindOfRecord()
        var keys: Set<String> = []
        for line in lines {
            #expect(try Self.problems(line, tables: &tables) == [], "\(line)")
            keys.formUnion(try Self.members(line).map(\.key))
        }
        #expect(tables.keys.sorted() == ["9.4.0"])
        // The records above really hold every field the schema table and the envelope name.
        for field in CompletedRecordSchema.fields { #expect(keys.contains(field.key.name), "\(field.key)") }
        for key in ["trace.id", "span.id", "vdm.original_level", "labels", "error.type", "error.message", "log.origin.file.name",
                    "log.origin.file.line", "log.origin.function", "gen_ai.request.max_tokens", "vdm.checkpoint.requests"] {
            #expect(keys.contains(key), "no record wrote \(key)")
        }
        #expect(keys.count >= 55, "\(keys.count) keys")
    }

    /// The records of a real `vdm demo` run (fixtures/demo).
    @Test func everyFieldOfTheDemoRunIsAFittingECSFieldOrVdm() throws {
        var tables: [String: ECSTable] = [:]
        var problems: Set<String> = []
        for line in try String(contentsOfFile: DemoFixtureTests.jsonLines, encoding: .utf8).split(separator: "\n") {
            problems.formUnion(try Self.problems(String(line), tables: &tables))
        }
        #expect(problems.isEmpty, "\(problems.sorted())")
        #expect(tables.keys.sorted() == [Schema.ecsVersion])
    }

    /// The check itself, on the log written with the ECS 8.11 names: it finds exactly the five
    /// fields that sat in ECS namespaces without being ECS fields (issue #18 §2).
    @Test func theCheckFindsTheFiveOldMisnamedFields() throws {
        var tables: [String: ECSTable] = [:]
        var problems: Set<String> = []
        for line in try String(contentsOfFile: LegacyECSFixtureTests.jsonLines, encoding: .utf8).split(separator: "\n") {
            problems.formUnion(try Self.problems(String(line), tables: &tables))
        }
        #expect(tables.keys.sorted() == ["8.11.0"])
        #expect(problems == [
            "service.instance.id is not an ECS field", "log.original_level is not an ECS field",
            "gen_ai.provider.name is not an ECS field", "gen_ai.usage.cache_read.input_tokens is not an ECS field",
            "gen_ai.usage.cache_creation.input_tokens is not an ECS field",
            // ECS 8.11 has no gen_ai.* at all: the two fields that are ECS in 9.4.
            "gen_ai.request.model is not an ECS field", "gen_ai.usage.input_tokens is not an ECS field",
            "gen_ai.usage.output_tokens is not an ECS field",
        ])
        // Against ECS 9.4: the five of the issue.
        problems = []
        for line in try String(contentsOfFile: LegacyECSFixtureTests.jsonLines, encoding: .utf8).split(separator: "\n") {
            problems.formUnion(try Self.problems(String(line), tables: &tables, version: "9.4.0"))
        }
        #expect(problems == [
            "service.instance.id is not an ECS field", "log.original_level is not an ECS field",
            "gen_ai.provider.name is not an ECS field", "gen_ai.usage.cache_read.input_tokens is not an ECS field",
            "gen_ai.usage.cache_creation.input_tokens is not an ECS field",
        ])
    }

    /// Where ECS types a field `integer` (32-bit) but vdm's bound is larger, the template maps a
    /// wider integer (`long`), so no in-bound value is refused by Elasticsearch.
    @Test func theTemplateWidensTheECSIntegersVdmBoundsPast32Bits() throws {
        let table = try ECSTable.load(version: Schema.ecsVersion)
        let mappings = try ElasticsearchTemplateSimulationTests.mappings
        var checked = 0
        for line in Self.everyKindOfRecord() {
            for (key, value) in try Self.members(line) where table.fields[key]?.type == "integer" {
                guard case .number = value else { continue }
                #expect(mappings.types[key] == "long", "\(key): \(mappings.types[key] ?? "not mapped")")
                checked += 1
            }
        }
        #expect(checked >= 3)  // gen_ai.usage.input_tokens, output_tokens, gen_ai.request.max_tokens
        #expect(RecordBounds.tokens.upperBound > Int64(Int32.max))
    }
}
