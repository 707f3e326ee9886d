import Foundation
import LogPipeline
import Testing
import VDMProxy

/// What only Elasticsearch itself could check, simulated (it cannot be installed here): the
/// Elasticsearch flavour of the index template (Elastic's built-in component templates,
/// `ignore_missing_component_templates`), that nothing is mapped that vdm never writes, and that the
/// fields the Elasticsearch aggregation's Painless runtime fields read are emitted and mapped.
/// Everything a real OpenSearch-compatible engine can check (the templates are accepted, every
/// emitted field indexes under `dynamic: strict`, wrong types are rejected, the aggregation's numbers)
/// is checked by one: Tests/ProxyTests/Engines/SearchEngineTests.
@Suite struct ElasticsearchTemplateSimulationTests {
    static let componentFile = "elasticsearch/logs-vandamme@mappings.json"
    static let indexFile = "elasticsearch/logs-vandamme.json"
    static let aggregationFile = "elasticsearch/per-provider-model-totals.json"

    static var mappings: IndexMappings {
        get throws { try IndexMappings(componentTemplate: try LogstashFiles.json(componentFile)) }
    }

    // MARK: Shape of the Elasticsearch flavour

    @Test func indexTemplateIsADataStreamTemplateComposedOfExistingParts() throws {
        let index = try LogstashFiles.json(Self.indexFile)
        #expect(index["index_patterns"] == .array([.string("logs-vandamme-*")]))
        #expect(index["data_stream"] == .object([]))
        // Above the built-in logs-*-* template (priority 100), which would otherwise match too.
        #expect((index["priority"]?.int ?? 0) > 100)
        let composed = index["composed_of"]?.array?.compactMap(\.string) ?? []
        let optional = Set(index["ignore_missing_component_templates"]?.array?.compactMap(\.string) ?? [])
        let ours = Set(try FileManager.default.contentsOfDirectory(atPath: LogstashFiles.root.appendingPathComponent("elasticsearch").path)
            .filter { $0.hasSuffix("@mappings.json") }.map { String($0.dropLast(".json".count)) })
        #expect(ours == ["logs-vandamme@mappings"])
        #expect(composed.contains("logs-vandamme@mappings"))
        for name in composed {
            // Each part is shipped here, or a built-in / user template Elasticsearch may not have.
            #expect(ours.contains(name) || optional.contains(name), "\(name) is neither shipped nor optional")
        }
        #expect(ours.isDisjoint(with: optional), "a forgotten PUT of our own template must fail loudly")
        #expect(optional.isSubset(of: Set(composed)))
        // Ours comes after the built-ins it overrides (later component templates win).
        for builtIn in ["logs@mappings", "ecs@mappings"] {
            #expect((composed.firstIndex(of: builtIn) ?? -1) < (composed.firstIndex(of: "logs-vandamme@mappings") ?? -1))
        }
    }

    // MARK: Mapped fields are emitted (that every emitted field is mapped, with a fitting type, the
    // real engine checks: SearchEngineTests)

    /// The demo run the real engine indexes under `dynamic: strict` (SearchEngineTests) really holds the
    /// optional fields, so a mapping missing for one of them cannot pass unseen.
    @Test func theDemoRunCoversTheOptionalFields() async throws {
        let demo = try await DemoEmission.shared.value
        for path in ["log.origin.file.line", "vdm.original_level", "trace.id", "span.id", "gen_ai.operation.name", "error.type", "vdm.checkpoint.requests", "vdm.stop_reason", "vdm.streaming"] {
            #expect(demo.recordPaths.contains(path), "the demo run did not emit \(path)")
        }
    }


    @Test func everyMappedFieldIsOneVdmEmits() async throws {
        let demo = try await DemoEmission.shared.value
        let mapped = Set(try Self.mappings.leaves.keys)
        let neverEmitted = mapped.subtracting(demo.recordPaths)
        #expect(neverEmitted.isEmpty, "mapped but no record of the demo run has it: \(neverEmitted.sorted())")
    }

    // MARK: The aggregation (c) and its numbers

    @Test func everyFieldTheAggregationReadsIsEmittedAndMappedForIt() async throws {
        let demo = try await DemoEmission.shared.value
        let mappings = try Self.mappings
        let references = SearchFieldReferences(try LogstashFiles.json(Self.aggregationFile))
        #expect(references.runtimeFields == ["replay.provider", "replay.model"])
        #expect(references.scriptFields["replay.provider"] == ["gen_ai.system"])
        #expect(references.scriptFields["replay.model"] == ["gen_ai.system", "gen_ai.request.model", "vdm.requested_model"])
        let read = references.fields.subtracting(references.runtimeFields).union(references.scriptFields.values.flatMap { $0 })
        #expect(read.isSuperset(of: ["event.action", "event.outcome", "vdm.usage.input_tokens", "event.duration"]))
        for field in read {
            #expect(demo.recordPaths.contains(field), "\(field) is read by the aggregation but never emitted")
            let type = mappings.types[field]
            // Sums read numbers; terms and scripts read keyword doc values.
            #expect(type == "long" || type == "keyword", "\(field): \(type ?? "unmapped")")
        }
    }
}
