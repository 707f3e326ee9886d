import Foundation
import LogPipeline
import Testing
@testable import VDMProxy

/// The record fields these engine tests name themselves, in ONE place (the templates and the
/// aggregation name the rest in `logstash/elasticsearch/`): adjust here when the schema renames them.
enum EngineFields {
    static let instance = "service.node.name"
    static let sequence = "event.sequence"
    static let action = "event.action"
    static let completed = "request.completed"
    static let inputTokens = "vdm.usage.input_tokens"
    /// Optional fields the demo runs must have emitted, so that a strict mapping met them.
    static let optional = ["vdm.original_level", "log.origin.file.line", "vdm.checkpoint.requests", "error.type", "vdm.stop_reason"]
    static let labelsPrefix = "labels."
    /// A name no template maps.
    static let unmapped = "vdm.not_a_field"
}

/// `logstash/elasticsearch/` against a real OpenSearch-compatible engine (`SearchEngine`): the
/// templates are accepted, the records of real `vdm demo` runs index under `dynamic: strict` with zero
/// errors, a value of the wrong type is rejected, and the engine's own aggregation gives
/// `vdm replay --format json`'s numbers.
@Suite struct SearchEngineTests {
    static let componentFile = "elasticsearch/logs-vandamme@mappings.json"
    static let indexFile = "elasticsearch/logs-vandamme.json"
    static let openSearchIndexFile = "elasticsearch/logs-vandamme.opensearch.json"
    static let esAggregationFile = "elasticsearch/per-provider-model-totals.json"

    static func bytes(_ relative: String) throws -> [UInt8] { Array(try LogstashFiles.text(relative).utf8) }

    /// The component template, and a strict plain-index template composed of it: osmem has no data
    /// streams, so records go into `vdm-strict-*` indices mapped by the same component template.
    static func installStrict(_ engine: SearchEngine) async throws {
        try await engine.putAcknowledged("/_component_template/logs-vandamme@mappings", try bytes(componentFile))
        try await engine.putAcknowledged("/_index_template/vdm-strict", Array(#"""
            {"index_patterns":["vdm-strict-*"],"priority":300,"composed_of":["logs-vandamme@mappings"],
             "template":{"mappings":{"dynamic":"strict"}}}
            """#.utf8))
    }

    @Test func theComponentAndOpenSearchIndexTemplatesAreAcceptedAndComposeOurMappings() async throws {
        try await SearchEngine.with { engine in
            try await engine.putAcknowledged("/_component_template/logs-vandamme@mappings", try Self.bytes(Self.componentFile))
            // The Elasticsearch flavour names Elastic's built-ins and ignore_missing_component_templates
            // (Elasticsearch 8.7+): OpenSearch knows neither, which is why there are two flavours.
            let es = try await engine.call(.PUT, "/_index_template/logs-vandamme", body: try Self.bytes(Self.indexFile))
            #expect(es.status == 400, "\(es.text)")
            #expect(es.text.contains("ignore_missing_component_templates"), "\(es.text)")
            try await engine.putAcknowledged("/_index_template/logs-vandamme", try Self.bytes(Self.openSearchIndexFile))

            // What a new backing index of logs-vandamme-default would get: exactly our mappings and settings.
            let simulated = try await engine.call(.POST, "/_index_template/_simulate_index/logs-vandamme-default")
            #expect(simulated.status == 200, "\(simulated.text)")
            let component = try LogstashFiles.json(Self.componentFile)
            let mappings = simulated.json["template"]?["mappings"]
            // JSON objects are unordered (the engine answers with sorted keys): compare as Foundation dictionaries.
            func usage(_ object: Any?) -> NSDictionary? {
                ((((object as? [String: Any])?["properties"] as? [String: Any])?["vdm"] as? [String: Any])?["properties"] as? [String: Any])?["usage"] as? NSDictionary
            }
            let engineMappings = ((try JSONSerialization.jsonObject(with: Data(simulated.text.utf8)) as? [String: Any])?["template"] as? [String: Any])?["mappings"]
            let fileMappings = ((try JSONSerialization.jsonObject(with: Data(try Self.bytes(Self.componentFile))) as? [String: Any])?["template"] as? [String: Any])?["mappings"]
            #expect(usage(engineMappings) != nil && usage(engineMappings) == usage(fileMappings), "\(simulated.text)")
            #expect(mappings?["properties"]?.object?.map(\.key).sorted() == component["template"]?["mappings"]?["properties"]?.object?.map(\.key).sorted())
            #expect(mappings?["dynamic_templates"] != nil)
            #expect(simulated.json["template"]?["settings"]?["index"]?["mapping"]?["coerce"]?.string == "false", "\(simulated.text)")
        }
    }

    /// The two index-template flavours differ only where OpenSearch must (logstash/README.md).
    @Test func theOpenSearchFlavourDiffersOnlyInTheComposition() throws {
        let es = try LogstashFiles.json(Self.indexFile), os = try LogstashFiles.json(Self.openSearchIndexFile)
        for key in ["index_patterns", "data_stream", "priority", "version"] {
            #expect(es[key] == os[key], "\(key)")
        }
        #expect(es["_meta"]?["vdm_schema"] == os["_meta"]?["vdm_schema"])
        #expect(os["composed_of"] == .array([.string("logs-vandamme@mappings")]))
        #expect(os["ignore_missing_component_templates"] == nil)
        // The aggregation flavours: the same per-model sums; OpenSearch names the model without a
        // runtime field (a requested_models level under the empty resolved model).
        let esModels = try LogstashFiles.json(Self.esAggregationFile)["aggs"]?["providers"]?["aggs"]?["models"]?["aggs"]
        let osModels = try LogstashFiles.json(EngineTotals.aggregationFile)["aggs"]?["providers"]?["aggs"]?["models"]?["aggs"]
        let osLeaves = osModels?.object?.filter { $0.key != "requested_models" }
        #expect(osLeaves.map(JSONValue.object) == esModels)
        #expect(osModels?["requested_models"]?["aggs"] == esModels)
    }

    @Test func everyRecordOfRealDemoRunsIndexesUnderStrictMappingsWithZeroErrors() async throws {
        let demo = try await DemoEmission.shared.value
        let lines = demo.runs.flatMap(\.lines)
        #expect(lines.count > 200)
        try await SearchEngine.with { engine in
            try await Self.installStrict(engine)
            let reply = try await engine.bulkCreate(index: "vdm-strict-demo", lines: lines)
            let failed = (reply["items"]?.array ?? []).filter { ($0["create"]?["status"]?.int ?? 0) != 201 }
            #expect(reply["errors"]?.bool == false, "first failures: \(failed.prefix(3))")
            #expect(reply["items"]?.array?.count == lines.count)
            #expect(try await engine.count("vdm-strict-demo") == lines.count)
            // The runs really had the optional fields a strict mapping could trip on.
            let paths = demo.recordPaths
            #expect(paths.contains { $0.hasPrefix(EngineFields.labelsPrefix) }, "no record of the demo runs has labels")
            for field in EngineFields.optional {
                #expect(paths.contains(field), "no record of the demo runs has \(field)")
            }
        }
    }

    /// The strictness and the types bite: an unmapped field, a string or a fraction in a token count
    /// are each rejected (coercion is off, so "12" and 12.5 are not quietly summed as 12).
    @Test func aRecordWithAnUnmappedFieldOrAWronglyTypedValueIsRejected() async throws {
        let demo = try await DemoEmission.shared.value
        let completed = try #require(demo.runs.first?.lines.first { $0.contains(#""\#(EngineFields.action)":"\#(EngineFields.completed)""#) })
        let record = try JSONValue.parse(completed)
        func variant(_ key: String, _ value: JSONValue) -> String { String(decoding: record.setting(key, to: value).serialized(), as: UTF8.self) }
        let lines = [
            completed,
            variant(EngineFields.inputTokens, .string("twelve")),
            variant(EngineFields.inputTokens, .string("12")),
            variant(EngineFields.inputTokens, .number("12.5")),
            variant(EngineFields.unmapped, .number("1")),
        ]
        try await SearchEngine.with { engine in
            try await Self.installStrict(engine)
            let reply = try await engine.bulkCreate(index: "vdm-strict-types", lines: lines)
            let items = reply["items"]?.array ?? []
            try #require(items.count == lines.count, "\(reply)")
            #expect(items[0]["create"]?["status"]?.int == 201, "\(items[0])")
            for item in items[1...3] {
                #expect(item["create"]?["status"]?.int == 400, "\(item)")
                #expect(item["create"]?["error"]?["type"]?.string == "mapper_parsing_exception", "\(item)")
                #expect(item["create"]?["error"]?["reason"]?.string?.contains(EngineFields.inputTokens) == true, "\(item)")
            }
            #expect(items[4]["create"]?["error"]?["type"]?.string == "strict_dynamic_mapping_exception", "\(items[4])")
            #expect(try await engine.count("vdm-strict-types") == 1)
        }
    }

    @Test func theEnginesAggregationEqualsReplayForEveryProviderAndModel() async throws {
        let demo = try await DemoEmission.shared.value
        let replay = try EngineTotals(replayJSON: try demo.replayJSON())
        #expect(replay.requests == demo.requests)
        try await SearchEngine.with { engine in
            try await Self.installStrict(engine)
            let reply = try await engine.bulkCreate(index: "vdm-strict-totals", lines: demo.runs.flatMap(\.lines))
            #expect(reply["errors"]?.bool == false)
            let totals = try EngineTotals(engineReply: try await engine.search("vdm-strict-totals", try Self.bytes(EngineTotals.aggregationFile)))
            #expect(totals == replay, "engine:\n\(totals)\nreplay:\n\(replay)")
            #expect(totals.providers.count >= 3, "the demo covers openai, anthropic and an unknown provider: \(totals)")
        }
    }
}
