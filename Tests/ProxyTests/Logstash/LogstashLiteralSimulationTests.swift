import Foundation
import LogPipeline
import Testing
import VDMProxy
import MockUpstream
import VDMBench
import VDMDemo

/// Simulations of logstash/ (Logstash and Elasticsearch cannot run here) whose oracle is written by
/// hand: a small fixed set of shipped events and records, and the literal documents and totals they
/// must give. Nothing on the expected side comes from `LogstashEvent(record:)` or vdm's own rules.
@Suite struct LogstashLiteralSimulationTests {
    static func simulate(_ pipelineID: String, _ input: LogstashEvent) throws -> [String: LogstashEvent.Value] {
        let pipeline = try #require(try PipelineDefinition.load().first { $0.id == pipelineID })
        var event = input
        try LogstashFilterSimulator(configs: try pipeline.configs).run(&event)
        return event.flattened.filter { !$0.key.hasPrefix("@metadata") }
    }

    static let record = #"{"@timestamp":"2023-11-14T22:13:20.123456Z","log.level":"info","message":"SUCCESS","ecs.version":"8.11.0","log.logger":"vdm.request","service.name":"vandamme-proxy","service.instance.id":"inst-lit","event.sequence":7,"vdm.schema":1,"event.action":"request.completed","vdm.streaming":true,"gen_ai.usage.output_tokens":20}"#

    /// The file input with the json codec: the record's keys at the top level as they are; the
    /// input's own fields beside them; `@version` dropped.
    @Test func theFilePipelineKeepsTheRecordAsItIs() throws {
        let input = LogstashEvent(fields: [
            "@timestamp": .timestamp(micros: 1_700_000_000_123_456), "log.level": .string("info"), "message": .string("SUCCESS"),
            "ecs.version": .string("8.11.0"), "log.logger": .string("vdm.request"), "service.name": .string("vandamme-proxy"),
            "service.instance.id": .string("inst-lit"), "event.sequence": .integer(7), "vdm.schema": .integer(1),
            "event.action": .string("request.completed"), "vdm.streaming": .boolean(true), "gen_ai.usage.output_tokens": .integer(20),
            "log": .object(["file": .object(["path": .string("/var/log/vdm/vdm.json")])]), "host": .object(["name": .string("lh")]),
            "@version": .string("1"),
        ])
        let out = try Self.simulate("vdm-file", input)
        #expect(out == [
            "@timestamp": .timestamp(micros: 1_700_000_000_123_456), "log.level": .string("info"), "message": .string("SUCCESS"),
            "ecs.version": .string("8.11.0"), "log.logger": .string("vdm.request"), "service.name": .string("vandamme-proxy"),
            "service.instance.id": .string("inst-lit"), "event.sequence": .integer(7), "vdm.schema": .integer(1),
            "event.action": .string("request.completed"), "vdm.streaming": .boolean(true), "gen_ai.usage.output_tokens": .integer(20),
            "log.file.path": .string("/var/log/vdm/vdm.json"), "host.name": .string("lh"),
        ])
    }

    /// Filebeat's filestream: the line in `message`, parsed by the json filter over the event.
    @Test func theBeatsPipelineParsesTheLineAndDropsFilebeatsECS() throws {
        let input = LogstashEvent(fields: [
            "@timestamp": .timestamp(micros: 1_700_000_009_000_000), "message": .string(Self.record),
            "ecs": .object(["version": .string("8.0.0")]), "log": .object(["offset": .integer(512)]), "@version": .string("1"),
        ])
        let out = try Self.simulate("vdm-beats", input)
        #expect(out == [
            "@timestamp": .timestamp(micros: 1_700_000_000_123_456), "log.level": .string("info"), "message": .string("SUCCESS"),
            "ecs.version": .string("8.11.0"), "log.logger": .string("vdm.request"), "service.name": .string("vandamme-proxy"),
            "service.instance.id": .string("inst-lit"), "event.sequence": .integer(7), "vdm.schema": .integer(1),
            "event.action": .string("request.completed"), "vdm.streaming": .boolean(true), "gen_ai.usage.output_tokens": .integer(20),
            "log.offset": .integer(512),
        ])
    }

    /// Filebeat's journald input: vdm's fields as strings under journald.custom; the pipeline renames
    /// them, types them, takes time and message from the record copy, and drops the rest.
    @Test func theJournaldPipelineTypesTheFieldsAndTakesTheRecordsTime() throws {
        let custom: [String: LogstashEvent.Value] = [
            "vdm_schema": .string("1"), "vdm_event_action": .string("request.completed"), "vdm_sequence": .string("7"),
            "vdm_instance_id": .string("inst-lit"), "vdm_log_level": .string("info"), "vdm_logger": .string("vdm.request"),
            "vdm_streaming": .string("true"), "vdm_gen_ai_usage_output_tokens": .string("20"), "vdm_ecs_json": .string(Self.record),
        ]
        let input = LogstashEvent(fields: [
            "@timestamp": .timestamp(micros: 1_700_000_000_999_999), "message": .string("SUCCESS | console line"),
            "ecs": .object(["version": .string("8.0.0")]), "syslog": .object(["identifier": .string("vandamme-proxy")]),
            "journald": .object(["custom": .object(custom)]), "@version": .string("1"),
        ])
        let out = try Self.simulate("vdm-journald", input)
        #expect(out == [
            "@timestamp": .timestamp(micros: 1_700_000_000_123_000),  // the date filter keeps milliseconds
            "message": .string("SUCCESS"), "ecs.version": .string("8.11.0"), "service.name": .string("vandamme-proxy"),
            "log.level": .string("info"), "log.logger": .string("vdm.request"), "service.instance.id": .string("inst-lit"),
            "event.sequence": .integer(7), "vdm.schema": .integer(1), "event.action": .string("request.completed"),
            "vdm.streaming": .boolean(true), "gen_ai.usage.output_tokens": .integer(20), "syslog.identifier": .string("vandamme-proxy"),
        ])
    }

    /// The aggregation over four hand-written records. Painless cannot run here: the runtime fields'
    /// values are written per record below, read by hand off the scripts (provider empty → `unknown`;
    /// no resolved model → the requested one without its `provider:` prefix).
    @Test func theAggregationSumsFourRecordsToHandWrittenTotals() throws {
        func record(_ id: String, provider: String, model: String, requested: String, outcome: String,
                    input: Int, output: Int, cacheRead: Int, cacheWrite: Int, calls: Int, durationNs: Int) throws -> JSONValue {
            try JSONValue.parse(Array(#"{"event.action":"request.completed","http.request.id":"\#(id)","gen_ai.provider.name":"\#(provider)","gen_ai.request.model":"\#(model)","vdm.requested_model":"\#(requested)","event.outcome":"\#(outcome)","vdm.usage.input_tokens":\#(input),"gen_ai.usage.output_tokens":\#(output),"gen_ai.usage.cache_read.input_tokens":\#(cacheRead),"gen_ai.usage.cache_creation.input_tokens":\#(cacheWrite),"vdm.tool_uses":0,"vdm.tool_results":0,"vdm.tool_calls":\#(calls),"event.duration":\#(durationNs),"vdm.start_us":1700000000000000}"#.utf8))
        }
        let records = [
            try record("a", provider: "openai", model: "gpt-4o", requested: "openai:gpt-4o", outcome: "success", input: 10, output: 20, cacheRead: 3, cacheWrite: 0, calls: 2, durationNs: 100_000_000),
            try record("b", provider: "openai", model: "gpt-4o", requested: "gpt-4o", outcome: "failure", input: 5, output: 0, cacheRead: 0, cacheWrite: 0, calls: 0, durationNs: 50_000_000),
            try record("c", provider: "anthropic", model: "", requested: "anthropic:claude-x", outcome: "success", input: 7, output: 9, cacheRead: 0, cacheWrite: 4, calls: 1, durationNs: 70_000_000),
            try record("d", provider: "", model: "", requested: "mystery", outcome: "failure", input: 0, output: 0, cacheRead: 0, cacheWrite: 0, calls: 0, durationNs: 1_000),
            try JSONValue.parse(Array(#"{"event.action":"request.started","http.request.id":"e","gen_ai.provider.name":"openai"}"#.utf8)),
        ]
        let runtime: [String: (provider: String, model: String)] = [
            "a": ("openai", "gpt-4o"), "b": ("openai", "gpt-4o"), "c": ("anthropic", "claude-x"), "d": ("unknown", "mystery"),
        ]
        let evaluator = AggregationEvaluator(body: try LogstashFiles.json(ElasticsearchTemplateSimulationTests.aggregationFile), runtimeFields: [
            "replay.provider": { runtime[$0["http.request.id"]?.string ?? ""]?.provider },
            "replay.model": { runtime[$0["http.request.id"]?.string ?? ""]?.model },
        ])
        let result = try evaluator.evaluate(records)
        #expect(result.docCount == 4, "the query keeps request.completed only")
        let providers = try #require(result.terms["providers"])
        #expect(Set(providers.keys) == ["anthropic", "openai", "unknown"])
        let gpt = try #require(providers["openai"]?.terms["models"]?["gpt-4o"])
        #expect(gpt.docCount == 2)
        #expect(gpt.filters["errors"]?.docCount == 1)
        #expect(gpt.values == ["input_tokens": 15, "output_tokens": 20, "cache_read_tokens": 3, "cache_creation_tokens": 0, "tool_uses": 0,
                               "tool_results": 0, "tool_calls": 2, "duration_ns": 150_000_000, "last_start_us": 1_700_000_000_000_000])
        let claude = try #require(providers["anthropic"]?.terms["models"]?["claude-x"])
        #expect(claude.docCount == 1)
        #expect(claude.filters["errors"]?.docCount == 0)
        #expect(claude.values["input_tokens"] == 7 && claude.values["output_tokens"] == 9 && claude.values["cache_creation_tokens"] == 4)
        let mystery = try #require(providers["unknown"]?.terms["models"]?["mystery"])
        #expect(mystery.docCount == 1 && mystery.filters["errors"]?.docCount == 1 && mystery.values["duration_ns"] == 1_000)
    }

    /// Ruby's Dir.glob and Elasticsearch's index patterns are case-sensitive.
    @Test func globAndIndexPatternsAreCaseSensitive() {
        #expect(WildcardPattern("logs-vandamme-*", caseSensitive: true).matches("logs-vandamme-default"))
        #expect(!WildcardPattern("logs-vandamme-*", caseSensitive: true).matches("logs-Vandamme-default"))
        #expect(!WildcardPattern("*.conf", caseSensitive: true).matches("vdm-file.CONF"))
        #expect(WildcardPattern("vdm-?ile.conf", caseSensitive: true).matches("vdm-file.conf"))
        #expect(WildcardPattern("logs-vandamme-*").matches("LOGS-VANDAMME-X"), "the running-totals filters stay case-insensitive")
    }
}
