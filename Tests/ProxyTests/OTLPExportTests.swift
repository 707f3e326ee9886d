import Foundation
import LogPipeline
import MockUpstream
import Testing
import VDMBench
import VDMDemo

/// Issue #18 §3: a real `vdm serve` over the real mock exports to a real OTLP receiver (oteltap): every
/// record of its JSON log arrives (same sequence numbers, request ids and trace ids), the GenAI metric
/// points of its final export add up to the live running totals, no configured secret is in anything
/// received, and SIGTERM ends it with status 0 (swift-otel shut down, not trapped: exit 132 before).
@Suite(.serialized) struct OTLPExportTests {
    static let openAIKey = "sk-otlp-test-0123456789abcdefghijkl"
    /// A client's W3C trace: its id must come out as the records' `trace.id` at the receiver.
    static let clientTraceID = "4bf92f3577b34da6a3ce929d0e0e4736"

    /// The provider environment every OTLP test serves with.
    static func providers(_ mock: MockUpstreamHandle) -> [String: String] {
        ["OPENAI_API_KEY": openAIKey, "OPENAI_BASE_URL": mock.baseURL + "/v1",
         "ANTHROPIC_API_KEY": TestProxy.anthropicKey, "ANTHROPIC_BASE_URL": mock.baseURL,
         "REQUEST_TIMEOUT": "10", "VDM_DEFAULT_PROVIDER": "openai"]
    }

    static func tempDir(_ name: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vdm-\(name)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func theReceiverGetsEveryRecordAndMetricPointsEqualToTheRunningTotals() async throws {
        var generator = SystemRandomNumberGenerator()
        let seed = UInt64.random(in: 1...UInt64(UInt32.max), using: &generator)
        print("OTLPExportTests seed \(seed)")
        var rng = SplitMix64(state: seed)
        // The header value is a secret; a client also sends it (and the provider key) as a model name,
        // so the redaction has something to do on the OTLP path.
        let headerSecret = "otlptok-" + (0..<24).map { _ in String(rng.next() % 16, radix: 16) }.joined()
        try await OTLPReceiver.with { receiver in
            try await MockUpstream.withRunning { mock in
                let dir = try Self.tempDir("otlp")
                defer { try? FileManager.default.removeItem(atPath: dir) }
                let json = dir + "/serve.jsonl"
                // Metrics every 60 s (the default, not shortened): within the test the points that count
                // come from the final export at shutdown.
                let env = Self.providers(mock).merging([
                    "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint,
                    "OTEL_EXPORTER_OTLP_HEADERS": "x-otlp-token=\(headerSecret)",
                    "OTEL_SERVICE_NAME": "vdm-otlp-test",
                    "OTEL_BLRP_SCHEDULE_DELAY": "100",
                ]) { $1 }
                let served = try await VDMProcess(serving: ["--log-json", json, "--no-console"], env: env,
                                                     output: try openForWriting(dir + "/console.log"))
                let count = 20 + Int(rng.next() % 21)
                let (_, unexpected) = try await DemoTraffic.send(DemoWorkload.requests(count: count), to: served.baseURL, concurrency: 4)
                #expect(unexpected.isEmpty, "\(unexpected)")
                for model in ["openai:\(headerSecret)", "openai:\(Self.openAIKey)"] {
                    _ = try await TestHTTP.post(served.baseURL + "/v1/messages", body: DemoWorkload.body(model: model, text: "hello", stream: false))
                }
                let traced = try await TestHTTP.post(served.baseURL + "/v1/messages", body: DemoWorkload.body(model: "openai:gpt-4o", text: "traced", stream: false),
                                                     headers: [("traceparent", "00-\(Self.clientTraceID)-00f067aa0ba902b7-01")])
                #expect(traced.status == 200)
                let totalsText = try await served.get("/metrics/running-totals?format=json&include_active=false").text
                let totals = try #require(try JSONSerialization.jsonObject(with: Data(totalsText.utf8)) as? [String: Any])
                let expected = Self.expectedSeries(totals)
                let totalRequests = try #require((totals["summary"] as? [String: Any])?["total_requests"] as? Int)
                #expect(expected.values.reduce(0) { $0 + $1.requests } == totalRequests && totalRequests > count / 2)

                #expect(try await served.stop() == 0, "SIGTERM with OTLP on must exit 0")

                // Logs: every record of the JSON file has arrived, once, with the same identity.
                let lines = try String(contentsOfFile: json, encoding: .utf8).split(separator: "\n")
                let fileRecords = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
                let received = try await receiver.wait("every record of the JSON file", timeout: .seconds(30)) { $0.logs.count >= fileRecords.count }
                #expect(received.logs.count == fileRecords.count)
                let fromFile = fileRecords.map { record in
                    Self.identity([
                        (record["event.sequence"] as? Int).map(String.init), record["http.request.id"] as? String,
                        record["trace.id"] as? String, record["span.id"] as? String, record["message"] as? String,
                    ])
                }
                let fromReceiver = received.logs.map { record in
                    let a = OTLPReceiver.Received.attributes(record)
                    return Self.identity([a["event.sequence"], a["http.request.id"], a["trace.id"], a["span.id"],
                                          (record["body"] as? [String: Any])?["stringValue"] as? String])
                }
                #expect(fromFile.sorted() == fromReceiver.sorted())
                let completed = received.logs.map(OTLPReceiver.Received.attributes).filter { $0["event.action"] == "request.completed" }
                #expect(completed.count == totalRequests)
                #expect(completed.allSatisfy { ($0["trace.id"]?.utf8.count ?? 0) == 32 && ($0["span.id"]?.utf8.count ?? 0) == 16 })
                #expect(completed.contains { $0["trace.id"] == Self.clientTraceID })
                #expect(received.logs.contains {
                    ($0["body"] as? [String: Any])?["stringValue"] as? String == "Shutdown complete | Requests in flight: 0 | Completed: \(totalRequests)"
                })

                // Metrics: the final export (at shutdown) holds every request; compare series by series.
                let metricState = try await receiver.wait("a metrics export holding all \(totalRequests) requests") { state in
                    state.latestPoints.filter { $0.name == "gen_ai.client.operation.duration" }.reduce(0) { $0 + $1.count } == totalRequests
                }
                Self.expectPoints(metricState.latestPoints, equal: expected)

                for secret in [headerSecret, Self.openAIKey, TestProxy.anthropicKey] {
                    #expect(!metricState.text.contains(secret), "a configured secret reached the receiver")
                    #expect(!lines.joined().contains(secret), "a configured secret reached the JSON log")
                }
            }
        }
    }

    static func identity(_ parts: [String?]) -> String { parts.map { $0 ?? "-" }.joined(separator: "|") }

    /// The receiver's newest points against the running totals, per provider and model; names, units
    /// and attributes as the OTel GenAI conventions have them.
    static func expectPoints(_ points: [OTLPReceiver.Received.Point], equal expected: [SeriesKey: Expected]) {
        for (key, want) in expected {
            let mine = points.filter { $0.attributes["gen_ai.provider.name"] == key.provider && $0.attributes["gen_ai.request.model"] == key.model }
            let durations = mine.filter { $0.name == "gen_ai.client.operation.duration" }
            #expect(durations.reduce(0) { $0 + $1.count } == want.requests, "\(key) requests")
            #expect(durations.filter { $0.attributes["error.type"] != nil }.reduce(0) { $0 + $1.count } == want.errors, "\(key) errors")
            let seconds = durations.reduce(0.0) { $0 + $1.sum }
            #expect(abs(seconds * 1000 - want.durationMillis) < 0.01 * Double(max(1, want.requests)), "\(key) duration")
            let tokens = mine.filter { $0.name == "gen_ai.client.token.usage" }
            #expect(tokens.filter { $0.attributes["gen_ai.token.type"] == "input" }.reduce(0.0) { $0 + $1.sum } == Double(want.input), "\(key) input")
            #expect(tokens.filter { $0.attributes["gen_ai.token.type"] == "output" }.reduce(0.0) { $0 + $1.sum } == Double(want.output), "\(key) output")
        }
        let names: [String: String] = ["gen_ai.client.token.usage": "{token}", "gen_ai.client.operation.duration": "s",
                                       "gen_ai.client.operation.time_to_first_chunk": "s"]
        for point in points {
            #expect(names[point.name] == point.unit, "\(point.name) [\(point.unit)]")
            #expect(point.attributes["gen_ai.operation.name"] == "chat")
            #expect(point.attributes["gen_ai.provider.name"] != nil && point.attributes["gen_ai.request.model"] != nil)
            #expect(point.name == "gen_ai.client.operation.duration" || point.attributes["error.type"] == nil, "error.type on \(point.name)")
        }
        #expect(points.contains { $0.name == "gen_ai.client.operation.time_to_first_chunk" && $0.count > 0 })
    }

    struct SeriesKey: Hashable, CustomStringConvertible {
        var provider: String
        var model: String
        var description: String { "\(provider)/\(model)" }
    }

    struct Expected {
        var requests = 0
        var errors = 0
        var input = 0
        var output = 0
        var durationMillis = 0.0
    }

    /// Per provider/model from `/metrics/running-totals?format=json`: the live totals, the oracle.
    static func expectedSeries(_ totals: [String: Any]) -> [SeriesKey: Expected] {
        var result: [SeriesKey: Expected] = [:]
        for (provider, value) in totals["providers"] as? [String: Any] ?? [:] {
            for (model, modelValue) in (value as? [String: Any])?["models"] as? [String: Any] ?? [:] {
                guard let total = (modelValue as? [String: Any])?["total"] as? [String: Any] else { continue }
                result[SeriesKey(provider: provider, model: model)] = Expected(
                    requests: total["requests"] as? Int ?? -1, errors: total["errors"] as? Int ?? -1,
                    input: total["input_tokens"] as? Int ?? -1, output: total["output_tokens"] as? Int ?? -1,
                    durationMillis: (total["total_duration_ms"] as? NSNumber)?.doubleValue ?? -1)
            }
        }
        return result
    }

    @Test func aBadEndpointStopsStartupNamingTheVariable() async throws {
        let dir = try Self.tempDir("otlp-badcfg")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (variable, value) in [("OTEL_EXPORTER_OTLP_ENDPOINT", "localhost:4318"), ("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "ftp://collector/v1/logs")] {
            let child = try ChildProcess.start(VDMProcess.binary, ["serve", "--port", "0"],
                                               env: ["OPENAI_API_KEY": Self.openAIKey, variable: value], output: dir + "/out.log")
            #expect(try await child.exitStatus(within: .seconds(60)) == 78)
            let out = try String(contentsOfFile: dir + "/out.log", encoding: .utf8)
            #expect(out.contains("vdm: configuration error: \(variable):"), "\(out)")
        }
    }
}
