import Foundation
import LogPipeline
import Testing
import VDMProxy

/// A simulation of Elasticsearch over `logstash/elasticsearch/` (it cannot be installed here): the
/// component and index templates checked against a real `vdm demo` run — every field the run emits
/// is mapped with a type that indexes its values, nothing is mapped that vdm never writes, every
/// field the aggregation reads is emitted and mapped. The aggregation's totals are checked against
/// hand-written literals in LogstashLiteralSimulationTests.
@Suite struct ElasticsearchTemplateSimulationTests {
    static let componentFile = "elasticsearch/logs-vandamme@mappings.json"
    static let indexFile = "elasticsearch/logs-vandamme.json"
    static let aggregationFile = "elasticsearch/per-provider-model-totals.json"

    static var mappings: IndexMappings {
        get throws { try IndexMappings(componentTemplate: try LogstashFiles.json(componentFile)) }
    }

    // MARK: Shape (a)

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

    @Test func componentTemplateMapsEveryLeafWithAType() throws {
        let mappings = try Self.mappings
        #expect(mappings.leaves.count > 40)
        let allowed: Set<String> = ["long", "boolean", "keyword", "match_only_text", "date"]
        for (path, type) in mappings.leaves {
            #expect(allowed.contains(type), "\(path): \(type)")
        }
        #expect(mappings.types["@timestamp"] == "date")
        #expect(mappings.types["message"] == "match_only_text")
        #expect(!mappings.dynamicTemplates.isEmpty)
        let aggregation = try LogstashFiles.json(Self.aggregationFile)
        #expect(aggregation["size"]?.int == 0)
        #expect(aggregation["aggs"]?["providers"]?["aggs"]?["models"] != nil)
    }

    // MARK: Emitted fields are mapped (b), mapped fields are emitted

    @Test func everyFieldTheDemoEmitsIsMappedWithACompatibleType() async throws {
        let demo = try await DemoEmission.shared.value
        let mappings = try Self.mappings
        var unmapped: [String] = []
        var incompatible: [String] = []
        for (path, kinds) in demo.recordKinds.sorted(by: { $0.key < $1.key }) {
            for kind in kinds {
                guard let (type, by) = mappings.mapping(of: path, kind: kind) else {
                    unmapped.append(path)
                    continue
                }
                // @timestamp is an ISO 8601 string in the JSON: a date.
                let fits = IndexMappings.compatible[kind]?.contains(type) == true || (path == "@timestamp" && kind == "string" && type == "date")
                if !fits { incompatible.append("\(path): \(kind) value, mapped \(type) by \(by)") }
            }
        }
        #expect(unmapped.isEmpty, "emitted but not mapped: \(Set(unmapped).sorted())")
        #expect(incompatible.isEmpty, "\(incompatible)")
        // The run really covered the optional fields.
        for path in ["log.origin.file.line", "log.original_level", "error.type", "vdm.checkpoint.requests", "vdm.stop_reason", "vdm.streaming"] {
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
        #expect(references.scriptFields["replay.provider"] == ["gen_ai.provider.name"])
        #expect(references.scriptFields["replay.model"] == ["gen_ai.provider.name", "gen_ai.request.model", "vdm.requested_model"])
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
