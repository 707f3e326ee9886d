import Foundation
import Logging
import LogPipeline
import Testing

@Suite struct ECSJSONEncoderTests {
    @Test func firstKeysAreInTheECSOrder() throws {
        let c = Captured()
        CorrelationContext.$current.withValue(CorrelationContext(id: "abcd1234-0000-0000-0000-000000000000")) {
            c.logger("vdm.request").info("hello")
        }
        let line = try #require(c.jsonLines().first)
        #expect(line.hasPrefix(#"{"@timestamp":""#))
        let keys = ["\"@timestamp\"", "\"log.level\"", "\"message\"", "\"ecs.version\"", "\"log.logger\"", "\"service.name\"",
                    "\"service.node.name\"", "\"event.sequence\"", "\"http.request.id\"", "\"vdm.schema\""]
        let positions = keys.map { line.range(of: $0)?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil })
        let offsets = positions.compactMap { $0.map { line.distance(from: line.startIndex, to: $0) } }
        #expect(offsets == offsets.sorted())
        #expect(line.hasSuffix("}\n"))
        #expect(line.dropLast().contains("\n") == false)
    }

    @Test func timestampIsUTCWithMicroseconds() throws {
        let c = Captured()
        c.logger().info("x")
        let object = try #require(c.jsonObjects().first)
        let ts = try #require(object["@timestamp"] as? String)
        #expect(ts.count == 27)
        #expect(ts.hasSuffix("Z"))
        let micros = try #require(WallClock.parseISO8601(ts))
        #expect(abs(micros - WallClock.nowMicros()) < 10_000_000)
        #expect(WallClock.iso8601(micros: micros) == ts)
    }

    @Test func knownInstantFormatsExactly() {
        #expect(WallClock.iso8601(micros: 0) == "1970-01-01T00:00:00.000000Z")
        #expect(WallClock.iso8601(micros: 1_795_907_289_382_331) == "2026-11-28T23:08:09.382331Z")
        #expect(WallClock.iso8601(micros: 951_782_400_000_001) == "2000-02-29T00:00:00.000001Z")
        #expect(WallClock.parseISO8601("2026-11-28T23:08:09.382331Z") == 1_795_907_289_382_331)
        #expect(WallClock.parseISO8601("2026-11-28T23:08:09Z") == 1_795_907_289_000_000)
        #expect(WallClock.parseISO8601("2026-13-28T23:08:09Z") == nil)
        #expect(WallClock.parseISO8601("garbage") == nil)
    }

    @Test func sequenceIncreasesByOnePerRecordAndInstanceIsStamped() throws {
        let c = Captured(instanceID: "inst-1")
        let logger = c.logger()
        for i in 0..<50 { logger.info("line \(i)") }
        let objects = try c.jsonObjects()
        let seqs = objects.compactMap { $0["event.sequence"] as? Int }
        #expect(seqs == Array(1...50))
        #expect(objects.allSatisfy { $0["service.node.name"] as? String == "inst-1" })
        #expect(objects.allSatisfy { $0["service.name"] as? String == "vandamme-proxy" })
        #expect(objects.allSatisfy { $0["vdm.schema"] as? Int == Schema.version })
    }

    @Test func controlCharactersAndQuotesAreEscaped() throws {
        let c = Captured()
        c.logger().info("evil\nINFO - forged \"line\"\t\u{1b}[31m\u{7f}", metadata: ["model": "a\nb"])
        let line = try #require(c.jsonLines().first)
        #expect(line.filter { $0 == "\n" }.count == 1)
        let object = try #require(c.jsonObjects().first)
        #expect(object["message"] as? String == "evil\nINFO - forged \"line\"\t\u{1b}[31m\u{7f}")
        #expect((object["labels"] as? [String: String])?["model"] == "a\nb")
    }

    @Test func completedPayloadFieldsAreTypedAndComplete() throws {
        let c = Captured()
        let m = sampleMetrics(cacheRead: 5, cacheCreation: 7, error: "upstream said no", errorType: "upstream_5xx")
        c.logger().error("done", metadata: .payload(RequestCompletedPayload(metrics: m)))
        let o = try #require(c.jsonObjects().first)
        #expect(o["event.action"] as? String == "request.completed")
        #expect(o[FieldName.inputTokens.name] as? Int == 10)
        #expect(o[FieldName.outputTokens.name] as? Int == 20)
        #expect(o[FieldName.cacheReadTokens.name] as? Int == 5)
        #expect(o[FieldName.cacheCreationTokens.name] as? Int == 7)
        #expect(o[FieldName.totalInputTokens.name] as? Int == 22)
        #expect(o[FieldName.durationNanos.name] as? Int == 100_000_000)
        #expect(o[FieldName.streaming.name] as? Bool == false)
        #expect(o[FieldName.errorType.name] as? String == "upstream_5xx")
        #expect(o[FieldName.errorMessage.name] as? String == "upstream said no")
        #expect(o[FieldName.provider.name] as? String == "openai")
        #expect(o[FieldName.resolvedModel.name] as? String == "gpt-4o")
        #expect(o[FieldName.requestedModel.name] as? String == "openai:gpt-4o")
        #expect(o[FieldName.httpStatus.name] as? Int == 502)
        #expect(o["event.outcome"] as? String == "failure")
        #expect(o["vdm.event"] == nil)
        #expect(o["labels"] == nil)
    }

    @Test func errorAttachedToTheEventIsWritten() throws {
        struct Boom: Error, CustomStringConvertible { var description: String { "boom happened" } }
        let c = Captured()
        c.logger().error("failed", error: Boom())
        let o = try #require(c.jsonObjects().first)
        #expect(o["error.message"] as? String == "boom happened")
        #expect((o["error.type"] as? String)?.contains("Boom") == true)
    }

    @Test func labelKeysAreSanitised() throws {
        let c = Captured()
        c.logger().info("x", metadata: ["a.b*c\\d": "v", "plain": .stringConvertible(42)])
        let labels = try #require(c.jsonObjects().first?["labels"] as? [String: String])
        #expect(labels["a_b_c_d"] == "v")
        #expect(labels["plain"] == "42")
    }

    @Test func integersOfAnySizeEncode() {
        var values: [Int64] = [0, 1, -1, 9, 10, 11, 99, 100, 101, 1_000, -10, -100, 1_234_567_890, Int64.max, Int64.min, Int64.min + 1]
        let seed = TestSeed.make("ECSJSONEncoderTests.integersOfAnySizeEncode")
        var rng = SplitMix64(state: seed)
        values += (0..<2_000).map { _ in Int64.random(in: Int64.min...Int64.max, using: &rng) >> Int64.random(in: 0...62, using: &rng) }
        for value in values {
            var out: [UInt8] = []
            JSONBytes.appendInt(value, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == String(value), "seed \(seed)")
        }
    }

    /// The JSON encoder copies payload keys without escaping: every key of every payload must be plain.
    @Test func payloadKeysNeedNoEscaping() {
        struct Keys: LogFieldVisitor {
            var all: [String] = []
            mutating func visit(_ key: FieldKey, int value: Int64) { all.append(key.name) }
            mutating func visit(_ key: FieldKey, string value: String) { all.append(key.name) }
            mutating func visit(_ key: FieldKey, bool value: Bool) { all.append(key.name) }
        }
        let failed = RequestMetrics(requestID: "r", requestedModel: "m", resolvedModel: "m", provider: "p", isStreaming: true,
                                    startMicros: 1, error: "boom", errorType: "upstream_5xx", stopReason: "end_turn")
        let payloads: [any StructuredPayload] = [
            RequestStartedPayload(metrics: failed, toolsDefined: 1, maxTokens: 2),
            RequestCompletedPayload(metrics: failed),
            SummaryCheckpointPayload(interval: 1, totals: MetricCounters()),
            EventMarkerPayload(action: EventAction.summaryModels),
        ]
        var keys = Keys()
        for payload in payloads { payload.visitFields(&keys) }
        #expect(keys.all.count > 40)
        let plain = Set("abcdefghijklmnopqrstuvwxyz0123456789._@".utf8)
        for key in keys.all { #expect(!key.isEmpty && key.utf8.allSatisfy(plain.contains), "\(key)") }
    }
}
