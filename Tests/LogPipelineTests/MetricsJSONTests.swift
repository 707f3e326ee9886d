import Foundation
import LogPipeline
import Synchronization
import Testing

@Suite struct MetricsJSONTests {
    static func object(_ bytes: [UInt8]) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    @Test func decimalsAreExactFromIntegers() {
        func text(_ f: (inout [UInt8]) -> Void) -> String {
            var out: [UInt8] = []
            f(&out)
            return String(decoding: out, as: UTF8.self)
        }
        #expect(text { JSONBytes.appendEpochSeconds(micros: 1_700_000_000_000_042, to: &$0) } == "1700000000.000042")
        #expect(text { JSONBytes.appendEpochSeconds(micros: 0, to: &$0) } == "0.000000")
        #expect(text { JSONBytes.appendMillis(nanos: 123_456_789, to: &$0) } == "123.457")
        #expect(text { JSONBytes.appendMillis(nanos: 999, to: &$0) } == "0.001")
        #expect(text { JSONBytes.appendMillis(nanos: -1_500_000, to: &$0) } == "-1.500")
        #expect(text { JSONBytes.appendScaled(Int64.min, digits: 3, to: &$0) } == "-9223372036854775.808")
    }

    @Test func activeRowsUseOneNamingRuleAndTheOriginalsKeyOrder() throws {
        var m = sampleMetrics("r1", provider: "poe", model: "claude-sonnet:thinking", streaming: true, input: 5, output: 7, start: 1_700_000_000_250_000)
        m.requestedModel = "poe:claude-sonnet:thinking"
        let bytes = ActiveRequestsJSON.render([m], nowMicros: 1_700_000_001_750_000)
        let text = String(decoding: bytes, as: UTF8.self)
        let keys = ["request_id", "provider", "model", "requested_model", "resolved_model", "qualified_model", "is_streaming",
                    "start_time", "duration_ms", "input_tokens", "output_tokens", "cache_read_tokens", "cache_creation_tokens",
                    "tool_uses", "tool_results", "tool_calls", "request_size", "message_count"]
        let positions = keys.map { text.range(of: "\"\($0)\":")?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil })
        #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())
        let doc = try Self.object(bytes)
        #expect(doc["disabled"] as? Bool == false)
        let row = try #require((doc["active_requests"] as? [[String: Any]])?.first)
        #expect(row["provider"] as? String == "poe")
        #expect(row["model"] as? String == "claude-sonnet:thinking")  // resolved model, colons kept
        #expect(row["qualified_model"] as? String == "poe:claude-sonnet:thinking")
        #expect(row["requested_model"] as? String == "poe:claude-sonnet:thinking")
        #expect(row["start_time"] as? Double == 1_700_000_000.25)
        #expect(row["duration_ms"] as? Int == 1_500)
        #expect(row["output_tokens"] as? Int == 7)
        #expect(row["is_streaming"] as? Bool == true)
        #expect(row["request_size"] as? Int == 1234)
        #expect(doc["timestamp"] == nil)
    }

    @Test func unresolvedRequestsFallBackToTheSameBucketsAsTheTotals() throws {
        let m = RequestMetrics(requestID: "x", requestedModel: "mystery:model", startMicros: 5)
        let row = try #require((try Self.object(ActiveRequestsJSON.render([m], nowMicros: 5))["active_requests"] as? [[String: Any]])?.first)
        #expect(row["provider"] as? String == m.providerKey)
        #expect(row["model"] as? String == m.modelKey)
        #expect(row["qualified_model"] as? String == "unknown:mystery:model")
        #expect(row["resolved_model"] as? String == "")
    }

    @Test func disabledEnvelopeAndTimestamp() throws {
        let disabled = try Self.object(ActiveRequestsJSON.disabled())
        #expect(disabled["disabled"] as? Bool == true)
        #expect(disabled["message"] as? String == "Request metrics logging is disabled")
        #expect((disabled["suggestion"] as? String)?.contains("LOG_REQUEST_METRICS") == true)
        #expect((disabled["active_requests"] as? [Any])?.isEmpty == true)
        #expect(try Self.object(ActiveRequestsJSON.disabled(includeEmptyList: false))["active_requests"] == nil)
        let stamped = try Self.object(ActiveRequestsJSON.render([], nowMicros: 1, timestampMicros: 1_700_000_000_000_001))
        #expect(abs((stamped["timestamp"] as? Double ?? 0) - 1_700_000_000.000001) < 1e-6)
    }

    @Test func traceEntriesRoundTrip() throws {
        let m = sampleMetrics("t1", provider: "openai", model: "gpt-4o", durationMillis: 1234, error: "boom \"quoted\"\n", errorType: "upstream_5xx")
        let entry = TraceEntry(seq: 3, endMicros: 1_700_000_000_123_456, metrics: m)
        var out: [UInt8] = []
        TraceJSON.appendArray([entry], to: &out)
        let array = try #require(try JSONSerialization.jsonObject(with: Data(out)) as? [[String: Any]])
        let t = try #require(array.first)
        #expect(t["seq"] as? Int == 3)
        #expect(abs((t["ts"] as? Double ?? 0) - 1_700_000_000.123456) < 1e-6)
        #expect(t["duration_ms"] as? Double == 1234)
        #expect(t["status"] as? String == "error")
        #expect(t["error"] as? String == "boom \"quoted\"\n")
        #expect(t["error_type"] as? String == "upstream_5xx")
        #expect(t["http_status"] as? Int == 502)
        #expect(t["tool_calls"] as? Int == 2)
        let ok = TraceEntry(seq: 1, endMicros: 0, metrics: sampleMetrics("t2"))
        var okOut: [UInt8] = []
        TraceJSON.append(ok, to: &okOut)
        let okDoc = try Self.object(okOut)
        #expect(okDoc["status"] as? String == "ok")
        #expect(okDoc["error"] is NSNull)
        #expect(okDoc["error_type"] is NSNull)
    }

    @Test func snapshotIsVersionedAndObserversSeeEveryEvent() async {
        let events = EventLog()
        let tracker = RequestTracker(logger: Captured().logger(), observers: [{ events.append($0) }])
        let before = await tracker.activeSnapshot()
        #expect(before.requests.isEmpty)
        await tracker.start(sampleMetrics("a"))
        let during = await tracker.activeSnapshot()
        #expect(during.version > before.version)
        #expect(during.requests.map(\.requestID) == ["a"])
        await tracker.end(sampleMetrics("a"))
        #expect(events.kinds == ["started:a", "completed:a"])
    }
}

final class EventLog: Sendable {
    private let storage = Mutex<[String]>([])
    func append(_ event: TrackerEvent) {
        let text: String
        switch event {
        case .started(let m): text = "started:" + m.requestID
        case .completed(let m): text = "completed:" + m.requestID
        case .refused(let m, _): text = "refused:" + m.requestID
        }
        storage.withLock { $0.append(text) }
    }
    var kinds: [String] { storage.withLock { $0 } }
}
