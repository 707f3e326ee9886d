import Foundation
import Journald
import LogPipeline
import RealComponent
import Testing
import Yams
import VDMProxy

/// A simulation of Logstash over `logstash/pipeline/*.conf` and `logstash/pipelines.yml` (Logstash
/// cannot be installed here): the files parse as Logstash configuration, every field they name exists in what
/// a real `vdm demo` run emits (JSON lines, journal entries as Filebeat ships them), and the filters,
/// simulated over that run's records, turn each variant's input back into the record.
@Suite struct LogstashPipelineSimulationTests {
    static let knownPlugins: [String: Set<String>] = [
        "input": ["file", "beats"],
        "filter": ["mutate", "json", "date"],
        "output": ["elasticsearch"],
    ]

    // MARK: Syntax (e)

    @Test func everyPipelineFileParsesWithKnownSectionsAndPlugins() throws {
        let files = try LogstashFiles.pipelineFiles
        #expect(Set(files) == ["vdm-file.conf", "vdm-beats.conf", "vdm-journald.conf", "vdm-shared.conf"])
        for name in files {
            let text = try LogstashFiles.text("pipeline/" + name)
            // Logstash refuses a config file that is not valid UTF-8; ASCII keeps every reader safe.
            #expect(text.utf8.allSatisfy { $0 < 0x80 }, "\(name) has non-ASCII bytes")
            let config = try LogstashFiles.config(name)
            for section in config.sections { #expect(LogstashConfig.sectionKinds.contains(section.kind)) }
            for (section, plugin) in config.plugins {
                #expect(Self.knownPlugins[section]?.contains(plugin.name) == true, "\(name):\(plugin.line): \(section) plugin \(plugin.name)")
                #expect(plugin.attribute("id")?.text != nil, "\(name):\(plugin.line): \(plugin.name) has no id")
            }
        }
    }

    @Test func theParserRejectsBrokenConfigurations() {
        let broken = [
            "filter { mutate { add_tag => [\"a\"] }",            // unbalanced brace
            "filter { mutate { add_tag => [\"a\" } }",           // unbalanced bracket
            "filter { mutate { add_tag => \"a } }",              // unterminated string
            "filters { mutate { } }",                            // unknown section
            "filter { if [a { mutate { } } }",                   // broken field reference
            "filter { mutate { rename => { \"a\" \"b\" } } }",   // hash entry without =>
            "filter { if [a] == { mutate { } } }",               // comparison without operand
        ]
        for text in broken {
            #expect(throws: LogstashConfigError.self, "\(text)") { try LogstashConfigParser.parse(text, file: "broken.conf") }
        }
        let valid = #"input { file { path => ["/x/*.json"] codec => json } } filter { if ![a.b] and [c][d] != 1 { mutate { add_tag => ["t"] } } else if [e] =~ /x\/y/ { json { source => "m" } } else { date { match => ["f", "ISO8601"] } } }"#
        #expect(throws: Never.self) { try LogstashConfigParser.parse(valid, file: "valid.conf") }
    }

    @Test func pipelinesYAMLCombinesEachInputWithTheSharedFile() throws {
        let pipelines = try PipelineDefinition.load()
        #expect(pipelines.map(\.id) == ["vdm-file", "vdm-beats", "vdm-journald"])
        var inputs: Set<String> = []
        for pipeline in pipelines {
            #expect(pipeline.ecsCompatibility == "v8", "\(pipeline.id)")
            #expect(pipeline.files.count == 2, "\(pipeline.id): \(pipeline.files)")
            // Concatenated in sorted path order: the input's filter must run before the shared one.
            #expect(pipeline.files.last == LogstashFiles.shared, "\(pipeline.id): \(pipeline.files)")
            let configs = try pipeline.configs
            let inputPlugins = configs.flatMap(\.plugins).filter { $0.section == "input" }
            #expect(inputPlugins.count == 1, "\(pipeline.id)")
            inputs.formUnion(inputPlugins.map(\.plugin.name))
            #expect(configs.flatMap(\.plugins).filter { $0.section == "output" }.map(\.plugin.name) == ["elasticsearch"])
            let ids = configs.flatMap(\.plugins).compactMap { $0.plugin.attribute("id")?.text }
            #expect(Set(ids).count == ids.count, "\(pipeline.id): plugin ids must be unique: \(ids)")
        }
        #expect(inputs == ["file", "beats"])
    }

    @Test func inputsDecodeJSONLinesAndKeepTheRecordsTimestamp() throws {
        let file = try LogstashFiles.config("vdm-file.conf")
        let input = try #require(file.plugins.first { $0.plugin.name == "file" }?.plugin)
        // json, not json_lines: the file input already splits lines (json_lines is for streams).
        #expect(input.attribute("codec")?.text == "json")
        // The record's own @timestamp stays: no date filter where the json codec/filter sets it.
        for name in ["vdm-file.conf", "vdm-beats.conf", LogstashFiles.shared] {
            let config = try LogstashFiles.config(name)
            #expect(!config.plugins.contains { $0.plugin.name == "date" }, "\(name) must not reparse @timestamp")
            #expect(!config.fieldReferences.contains { $0.dotted == "@timestamp" }, "\(name) must not touch @timestamp")
        }
        let beats = try LogstashFiles.config("vdm-beats.conf")
        #expect(beats.plugins.contains { $0.plugin.name == "json" && $0.plugin.attribute("source")?.text == "message" && $0.plugin.attribute("target") == nil })
    }

    @Test func outputWritesTheVandammeDataStreamMatchedByTheIndexTemplate() throws {
        let output = try #require(try LogstashFiles.config(LogstashFiles.shared).plugins.first { $0.plugin.name == "elasticsearch" }?.plugin)
        #expect(output.attribute("data_stream")?.text == "true")
        #expect(output.attribute("data_stream_type")?.text == "logs")
        #expect(output.attribute("data_stream_dataset")?.text == "vandamme")
        #expect(output.attribute("data_stream_namespace")?.text == "${VDM_NAMESPACE:default}")
        // Fields in incoming events cannot send them to another data stream.
        #expect(output.attribute("data_stream_auto_routing")?.text == "false")
        // In data-stream mode the output accepts only data_stream_*, action => create, routing,
        // pipeline, connection settings and the common options (its check_data_stream_config!).
        let dataStreamSafe: Set<String> = ["id", "hosts", "api_key", "ssl_certificate_authorities", "ssl_enabled", "routing", "pipeline"]
        for (name, _) in output.attributes where !name.hasPrefix("data_stream") {
            #expect(dataStreamSafe.contains(name), "\(name) is refused with data_stream => true (or not known to be accepted)")
        }
        #expect(output.attribute("api_key")?.text == "${ES_API_KEY}", "the key comes from the environment or keystore, never the file")
        let patterns = try LogstashFiles.json("elasticsearch/logs-vandamme.json")["index_patterns"]?.array?.compactMap(\.string) ?? []
        for namespace in ["default", "prod"] {
            #expect(patterns.contains { WildcardPattern($0, caseSensitive: true).matches("logs-vandamme-\(namespace)") })
        }
    }

    @Test func filebeatConfigsReadVdmsOutputAndShipToTheirPipeline() throws {
        func load(_ file: String) throws -> (input: [String: Any], hosts: [String]) {
            let yaml = try #require(try Yams.load(yaml: try LogstashFiles.text("filebeat/" + file)) as? [String: Any])
            let input = try #require((yaml["filebeat.inputs"] as? [[String: Any]])?.first)
            let hosts = (yaml["output.logstash"] as? [String: Any])?["hosts"] as? [String] ?? []
            #expect((input["id"] as? String)?.isEmpty == false, "\(file): an id keeps Filebeat's position across restarts")
            return (input, hosts)
        }
        /// `${NAME:default}` → default.
        func defaultValue(_ text: String?) -> String? {
            guard let text, let colon = text.firstIndex(of: ":"), text.hasSuffix("}") else { return text }
            return String(text[text.index(after: colon)..<text.index(before: text.endIndex)])
        }
        func port(_ pipeline: String) throws -> String? {
            let beats = try LogstashFiles.config(pipeline).plugins.first { $0.plugin.name == "beats" }?.plugin
            return defaultValue(beats?.attribute("port")?.text)
        }
        let journald = try load("filebeat-journald.yml")
        #expect(journald.input["type"] as? String == "journald")
        #expect((journald.input["include_matches.match"] as? [String]) == ["SYSLOG_IDENTIFIER=\(Schema.serviceName)"])
        #expect(journald.hosts.map { $0.split(separator: ":").last.map(String.init) } == [try port("vdm-journald.conf")])
        let jsonl = try load("filebeat-jsonl.yml")
        #expect(jsonl.input["type"] as? String == "filestream")
        #expect(jsonl.hosts.map { $0.split(separator: ":").last.map(String.init) } == [try port("vdm-beats.conf")])
        // Both JSON-lines variants read the same files.
        let file = try LogstashFiles.config("vdm-file.conf").plugins.first { $0.plugin.name == "file" }?.plugin
        guard case .array(let paths)? = file?.attribute("path") else { throw TestFailure("file input without path") }
        #expect(jsonl.input["paths"] as? [String] == paths.compactMap { defaultValue($0.text) })
        #expect(try port("vdm-journald.conf") != port("vdm-beats.conf"), "both Beats pipelines can run at once")
    }

    // MARK: Field references (c)

    @Test(arguments: ["vdm-file", "vdm-beats", "vdm-journald"])
    func everyFieldAPipelineNamesIsEmitted(pipelineID: String) async throws {
        let demo = try await DemoEmission.shared.value
        let pipeline = try #require(try PipelineDefinition.load().first { $0.id == pipelineID })
        let emitted = demo.recordPaths
        let shipped = try Set(demo.shipperEvents(pipelineID).flatMap { $0.flattened.keys })
        // The keys `vdm.schema` 1 wrote (a log is forever: the pipelines rename them), and their journal names.
        let legacy = try Self.legacyRecordKeys()
        let legacyJournal = Set(legacy.map { "journald.custom." + JournalFieldName.forField($0).lowercased() })
        let known = emitted.union(RecordFields.objectPaths(emitted)).union(shipped).union(RecordFields.objectPaths(shipped))
            .union(legacy).union(legacyJournal)
        // Targets of json filters (the record copy in @metadata): what is read below them is the record.
        let jsonTargets = try pipeline.configs.flatMap(\.plugins).filter { $0.plugin.name == "json" }
            .compactMap { $0.plugin.attribute("target")?.text }.map(LogstashEvent.path)
        var unknown: [String] = []
        for config in try pipeline.configs {
            for reference in config.fieldReferences {
                var path = reference.path
                if let target = jsonTargets.first(where: { path.starts(with: $0) }) {
                    path.removeFirst(target.count)
                    if path.isEmpty { continue }
                }
                let dotted = path.joined(separator: ".")
                if known.contains(dotted) || Self.logstashOwn.contains(dotted) { continue }
                unknown.append(reference.description)
            }
        }
        #expect(unknown.isEmpty, "\(pipelineID) names fields no demo record or shipped event has: \(unknown)")
    }

    /// Every key of the records `vdm.schema` 1 wrote (fixtures/legacy-ecs8/demo.jsonl).
    static func legacyRecordKeys() throws -> Set<String> {
        let text = try String(contentsOfFile: LegacyECSFixtureTests.jsonLines, encoding: .utf8)
        var keys: Set<String> = []
        for line in text.split(separator: "\n") {
            guard case .object(let members) = try JSONValue.parse(String(line)) else { continue }
            keys.formUnion(members.map(\.key))
        }
        return keys
    }

    /// Fields Logstash itself puts on events.
    static let logstashOwn: Set<String> = ["@version", "tags"]

    @Test func theJournaldPipelineReadsOnlyFieldsTheJournaldSinkWrites() async throws {
        let demo = try await DemoEmission.shared.value
        let written = Set(demo.journal.flatMap(\.fields.keys))
        let config = try LogstashFiles.config("vdm-journald.conf")
        let legacyJournal = Set(try Self.legacyRecordKeys().map(JournalFieldName.forField))
        for reference in config.fieldReferences where reference.path.starts(with: ["journald", "custom"]) && reference.path.count == 3 {
            let journalName = reference.path[2].uppercased()
            if legacyJournal.contains(journalName), !written.contains(journalName) { continue }  // a vdm.schema 1 name
            #expect(written.contains(journalName), "\(reference): no \(journalName) in the journal entries of the demo run (\(demo.journalSource))")
        }
        // Every VDM_* field the sink writes is either renamed or deliberately left (and then dropped).
        let renamed = Set(Self.journaldRenames(config).keys)
        let deliberatelyLeft: Set<String> = [JournalFieldName.correlationPrefix, JournalFieldName.ecsJSON]
        let vdmFields = written.filter { $0.hasPrefix("VDM_") && !$0.hasPrefix("VDM_LABEL_") }
        #expect(vdmFields.subtracting(renamed).subtracting(deliberatelyLeft).isEmpty, "not renamed: \(vdmFields.subtracting(renamed).subtracting(deliberatelyLeft).sorted())")
    }

    // MARK: Conversions (d)

    @Test func journaldConversionsAreExactlyTheTypedFieldsJournaldCarriesAsText() async throws {
        let demo = try await DemoEmission.shared.value
        let config = try LogstashFiles.config("vdm-journald.conf")
        let mappings = try IndexMappings(componentTemplate: try LogstashFiles.json("elasticsearch/logs-vandamme@mappings.json"))
        // The record fields that arrive as journald.custom strings: the targets of renames from there
        // (that each rename lands on the right record field is what the simulation test checks).
        let carried = Set(Self.journaldRenames(config).values)
        var expected: [String: String] = [:]
        for field in carried {
            switch mappings.types[field] {
            case "long": expected[field] = "integer"
            case "boolean": expected[field] = "boolean"
            default: break
            }
        }
        var actual: [String: String] = [:]
        for (field, type) in config.conversions { actual[LogstashEvent.path(field).joined(separator: ".")] = type }
        let missing = expected.filter { actual[$0.key] != $0.value }.map { "\($0.key) => \($0.value)" }.sorted()
        let extra = actual.filter { expected[$0.key] != $0.value }.map { "\($0.key) => \($0.value)" }.sorted()
        #expect(missing.isEmpty, "vdm-journald.conf does not convert: \(missing)")
        #expect(extra.isEmpty, "vdm-journald.conf converts what it should not: \(extra)")
        #expect(!expected.isEmpty)
        // And every converted field really is a number or boolean in the records.
        let kinds = demo.recordKinds
        for (field, type) in actual {
            #expect(kinds[field] == [type == "integer" ? "long" : "boolean"], "\(field): \(kinds[field] ?? [])")
        }
    }

    /// The `mutate rename` entries from `[journald][custom][x]`: journal field (`X`) → record key.
    static func journaldRenames(_ config: LogstashConfig) -> [String: String] {
        var out: [String: String] = [:]
        for (_, plugin) in config.plugins where plugin.name == "mutate" {
            guard case .hash(let entries)? = plugin.attribute("rename") else { continue }
            for entry in entries {
                guard let from = entry.key.text.map(LogstashEvent.path), from.count == 3, from.starts(with: ["journald", "custom"]),
                      let to = entry.value.text.map(LogstashEvent.path)
                else { continue }
                out[from[2].uppercased()] = to.joined(separator: ".")
            }
        }
        return out
    }

    // MARK: Simulation

    /// Every record of the demo run through the journald pipeline's filters, from the journal entries
    /// journald stored (not built from the record): the result is the record itself (field for field,
    /// with its types), plus only shipper fields that do not collide with the record's, and no tag.
    /// The file and beats pipelines, whose input is the record line itself, are checked against
    /// hand-written documents in LogstashLiteralSimulationTests.
    @Test(arguments: ["vdm-journald"])
    func filtersTurnEachJournalEntryBackIntoTheRecord(pipelineID: String) async throws {
        let demo = try await DemoEmission.shared.value
        let pipeline = try #require(try PipelineDefinition.load().first { $0.id == pipelineID })
        let simulator = LogstashFilterSimulator(configs: try pipeline.configs)
        let events = try demo.shipperEvents(pipelineID)
        #expect(events.count == demo.records.count)
        // Field → how many records differ there, and the first example.
        var mismatches: [String: (count: Int, example: String)] = [:]
        func mismatch(_ field: String, _ example: @autoclosure () -> String) {
            mismatches[field, default: (0, example())].count += 1
        }
        for (input, record) in zip(events, demo.recordsInShippedOrder(pipelineID)) {
            var event = input
            try simulator.run(&event)
            let out = event.flattened
            let expected = LogstashEvent(record: record).flattened
            let sequence = record["event.sequence"]?.int ?? 0
            for (path, value) in expected {
                var got = out[path]
                // The date filter keeps milliseconds (journald variant only).
                if path == "@timestamp", pipelineID == "vdm-journald", case .timestamp(let m) = value, case .timestamp(let g)? = got, g == m - m % 1000 {
                    got = value
                }
                if got != value { mismatch(path, "#\(sequence): expected \(value), got \(got.map(\.description) ?? "nothing")") }
            }
            if let tags = out["tags"] { mismatch("tags", "#\(sequence): \(tags)") }
            if out["@version"] != nil { mismatch("@version", "#\(sequence): kept") }
            for leftover in out.keys where leftover.hasPrefix("journald.custom.") { mismatch(leftover, "#\(sequence): left over") }
        }
        let report = mismatches.sorted { $0.key < $1.key }.map { "\($0.key) in \($0.value.count) records (\($0.value.example))" }
        #expect(report.isEmpty, "\(pipelineID): \(report)")
    }

    @Test func sharedFilterTagsWhatIsNotARecord() throws {
        let simulator = LogstashFilterSimulator(configs: [try LogstashFiles.config(LogstashFiles.shared)])
        var foreign = LogstashEvent(fields: ["message": .string("not json at all"), "tags": .array([.string("_jsonparsefailure")])])
        try simulator.run(&foreign)
        #expect(foreign.fields["tags"] == .array([.string("_jsonparsefailure"), .string("vdm_not_a_record")]))
        var newer = LogstashEvent(fields: ["vdm.schema": .integer(Int64(Schema.version + 1)), "message": .string("m")])
        try simulator.run(&newer)
        #expect(newer.fields["tags"] == .array([.string("vdm_unknown_schema")]))
        var current = LogstashEvent(fields: ["vdm.schema": .integer(Int64(Schema.version)), "@version": .string("1")])
        try simulator.run(&current)
        #expect(current.fields == ["vdm.schema": .integer(Int64(Schema.version))])
    }

    /// The journald sink's encoder (the stand-in when there is no journald) writes the same fields
    /// and values the real journald stores.
    @Test func journalEncoderMatchesWhatJournaldStores() async throws {
        let demo = try await DemoEmission.shared.value
        try RealComponent.require("the demo run's records in a private systemd-journald", available: demo.journalSource == "journald",
                                  install: "run the tests through scripts/with-journald as root")
        for run in demo.runs {
            #expect(run.journal.count == run.encodedJournal.count)
            let encoded = Dictionary(run.encodedJournal.map { ($0.fields[JournalFieldName.sequence] ?? "", $0.fields) }) { a, _ in a }
            for entry in run.journal {
                let stored = entry.fields.filter { !$0.key.hasPrefix("_") }
                let sequence = stored[JournalFieldName.sequence] ?? ""
                #expect(encoded[sequence] == stored, "entry \(sequence) differs")
            }
        }
    }
}
