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
/// (The aggregation's totals over hand-written records used to be simulated here too; a real engine
/// now computes them: SearchEngineTests.)
@Suite struct LogstashLiteralSimulationTests {
    static func simulate(_ pipelineID: String, _ input: LogstashEvent) throws -> [String: LogstashEvent.Value] {
        let pipeline = try #require(try PipelineDefinition.load().first { $0.id == pipelineID })
        var event = input
        try LogstashFilterSimulator(configs: try pipeline.configs).run(&event)
        return event.flattened.filter { !$0.key.hasPrefix("@metadata") }
    }

    static let record = #"{"@timestamp":"2023-11-14T22:13:20.123456Z","log.level":"info","message":"SUCCESS","ecs.version":"9.4.0","log.logger":"vdm.request","service.name":"vandamme-proxy","service.node.name":"inst-lit","event.sequence":7,"vdm.schema":2,"event.action":"request.completed","vdm.streaming":true,"gen_ai.usage.output_tokens":20}"#

    /// The same record as `vdm.schema` 1 wrote it (ECS 8.11 names).
    static let schema1Record = #"{"@timestamp":"2023-11-14T22:13:20.123456Z","log.level":"info","message":"SUCCESS","ecs.version":"8.11.0","log.logger":"vdm.request","service.name":"vandamme-proxy","service.instance.id":"inst-lit","event.sequence":7,"vdm.schema":1,"event.action":"request.completed","vdm.streaming":true,"gen_ai.usage.output_tokens":20}"#

    /// A `vdm.schema` 1 record (a log is forever): its moved keys arrive under today's names, the
    /// rest as they are.
    @Test func aSchema1RecordGetsTodaysNames() throws {
        let input = LogstashEvent(fields: [
            "@timestamp": .timestamp(micros: 1_700_000_009_000_000), "message": .string(Self.schema1Record),
            "@version": .string("1"),
        ])
        var withMoved = input
        withMoved.fields["message"] = .string(Self.schema1Record.replacingOccurrences(
            of: #""gen_ai.usage.output_tokens":20}"#,
            with: #""gen_ai.usage.output_tokens":20,"gen_ai.provider.name":"openai","gen_ai.usage.cache_read.input_tokens":3,"gen_ai.usage.cache_creation.input_tokens":4,"vdm.max_tokens":9,"log.original_level":"info"}"#))
        let out = try Self.simulate("vdm-beats", withMoved)
        #expect(out == [
            "@timestamp": .timestamp(micros: 1_700_000_000_123_456), "log.level": .string("info"), "message": .string("SUCCESS"),
            "ecs.version": .string("8.11.0"), "log.logger": .string("vdm.request"), "service.name": .string("vandamme-proxy"),
            "service.node.name": .string("inst-lit"), "event.sequence": .integer(7), "vdm.schema": .integer(1),
            "event.action": .string("request.completed"), "vdm.streaming": .boolean(true), "gen_ai.usage.output_tokens": .integer(20),
            "gen_ai.system": .string("openai"), "vdm.usage.cache_read_input_tokens": .integer(3),
            "vdm.usage.cache_creation_input_tokens": .integer(4), "gen_ai.request.max_tokens": .integer(9),
            "vdm.original_level": .string("info"),
        ])
        #expect(try Self.simulate("vdm-beats", input)["service.instance.id"] == nil)
    }

    /// The file input with the json codec: the record's keys at the top level as they are; the
    /// input's own fields beside them; `@version` dropped.
    @Test func theFilePipelineKeepsTheRecordAsItIs() throws {
        let input = LogstashEvent(fields: [
            "@timestamp": .timestamp(micros: 1_700_000_000_123_456), "log.level": .string("info"), "message": .string("SUCCESS"),
            "ecs.version": .string("9.4.0"), "log.logger": .string("vdm.request"), "service.name": .string("vandamme-proxy"),
            "service.node.name": .string("inst-lit"), "event.sequence": .integer(7), "vdm.schema": .integer(2),
            "event.action": .string("request.completed"), "vdm.streaming": .boolean(true), "gen_ai.usage.output_tokens": .integer(20),
            "log": .object(["file": .object(["path": .string("/var/log/vdm/vdm.json")])]), "host": .object(["name": .string("lh")]),
            "@version": .string("1"),
        ])
        let out = try Self.simulate("vdm-file", input)
        #expect(out == [
            "@timestamp": .timestamp(micros: 1_700_000_000_123_456), "log.level": .string("info"), "message": .string("SUCCESS"),
            "ecs.version": .string("9.4.0"), "log.logger": .string("vdm.request"), "service.name": .string("vandamme-proxy"),
            "service.node.name": .string("inst-lit"), "event.sequence": .integer(7), "vdm.schema": .integer(2),
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
            "ecs.version": .string("9.4.0"), "log.logger": .string("vdm.request"), "service.name": .string("vandamme-proxy"),
            "service.node.name": .string("inst-lit"), "event.sequence": .integer(7), "vdm.schema": .integer(2),
            "event.action": .string("request.completed"), "vdm.streaming": .boolean(true), "gen_ai.usage.output_tokens": .integer(20),
            "log.offset": .integer(512),
        ])
    }

    /// Filebeat's journald input: vdm's fields as strings under journald.custom; the pipeline renames
    /// them, types them, takes time and message from the record copy, and drops the rest.
    @Test func theJournaldPipelineTypesTheFieldsAndTakesTheRecordsTime() throws {
        let custom: [String: LogstashEvent.Value] = [
            "vdm_schema": .string("2"), "vdm_event_action": .string("request.completed"), "vdm_sequence": .string("7"),
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
            "message": .string("SUCCESS"), "ecs.version": .string("9.4.0"), "service.name": .string("vandamme-proxy"),
            "log.level": .string("info"), "log.logger": .string("vdm.request"), "service.node.name": .string("inst-lit"),
            "event.sequence": .integer(7), "vdm.schema": .integer(2), "event.action": .string("request.completed"),
            "vdm.streaming": .boolean(true), "gen_ai.usage.output_tokens": .integer(20), "syslog.identifier": .string("vandamme-proxy"),
        ])
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
