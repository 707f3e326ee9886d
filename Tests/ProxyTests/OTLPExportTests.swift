import Foundation
import Glibc
import LogPipeline
import Testing
@testable import MockUpstream
import VDMBench
import VDMDemo

/// Issue #18 §3: a real `vdm serve` over the real mock exports to a real OTLP receiver (oteltap): every
/// record of its JSON log arrives, the GenAI metric points add up to the live running totals, no
/// configured secret is in anything received, and a receiver that is down or never answers costs the
/// requests nothing beyond the sink bound while the lost records are counted.
@Suite(.serialized) struct OTLPExportTests {
    static let openAIKey = "sk-otlp-test-0123456789abcdefghijkl"

    /// The provider environment every test here serves with.
    static func providers(_ mock: MockUpstreamHandle) -> [String: String] {
        ["OPENAI_API_KEY": openAIKey, "OPENAI_BASE_URL": mock.baseURL + "/v1",
         "ANTHROPIC_API_KEY": E2E.anthropicKey, "ANTHROPIC_BASE_URL": mock.baseURL,
         "REQUEST_TIMEOUT": "10", "VDM_DEFAULT_PROVIDER": "openai"]
    }

    /// swift-otel's knobs, short so a test does not wait a minute for an export.
    static let fastExport = ["OTEL_METRIC_EXPORT_INTERVAL": "300", "OTEL_BLRP_SCHEDULE_DELAY": "100",
                             "OTEL_EXPORTER_OTLP_TIMEOUT": "1000", "OTEL_BLRP_EXPORT_TIMEOUT": "2000"]

    static func tempDir(_ name: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vdm-\(name)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func theReceiverGetsEveryRecordAndMetricPointsEqualToTheRunningTotals() async throws {
        let receiver = try await OTLPReceiver.start()
        defer { receiver.stop() }
        var generator = SystemRandomNumberGenerator()
        let seed = UInt64.random(in: 1...UInt64(UInt32.max), using: &generator)
        print("OTLPExportTests seed \(seed)")
        var rng = SplitMix64(state: seed)
        // The header value is a secret; a client also sends it (and the provider key) as a model name,
        // so the redaction has something to do on the OTLP path.
        let headerSecret = "otlptok-" + (0..<24).map { _ in String(rng.next() % 16, radix: 16) }.joined()
        try await MockUpstream.withRunning { mock in
            let dir = try Self.tempDir("otlp")
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let json = dir + "/serve.jsonl"
            let output = try openForWriting(dir + "/console.log")
            let env = Self.providers(mock).merging(Self.fastExport) { $1 }.merging([
                "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint,
                "OTEL_EXPORTER_OTLP_HEADERS": "x-otlp-token=\(headerSecret)",
                "OTEL_SERVICE_NAME": "vdm-otlp-test",
            ]) { $1 }
            let served = try await ServedProcess(arguments: ["--log-json", json, "--no-console"], env: env, output: output)
            let count = 20 + Int(rng.next() % 21)
            let (_, unexpected) = try await DemoTraffic.send(DemoWorkload.requests(count: count), to: served.baseURL, concurrency: 4)
            #expect(unexpected.isEmpty, "\(unexpected)")
            for model in ["openai:\(headerSecret)", "openai:\(Self.openAIKey)"] {
                _ = try await TestHTTP.post(served.baseURL + "/v1/messages",
                                            body: DemoWorkload.body(model: model, text: "hello", stream: false))
            }
            let totalsText = try await served.get("/metrics/running-totals?format=json&include_active=false").text
            let totals = try #require(try JSONSerialization.jsonObject(with: Data(totalsText.utf8)) as? [String: Any])

            // Metrics: wait until an export holds every request, then compare series by series.
            let expected = Self.expectedSeries(totals)
            let requests = expected.values.reduce(0) { $0 + $1.requests }
            let totalRequests = try #require((totals["summary"] as? [String: Any])?["total_requests"] as? Int)
            #expect(requests == totalRequests && requests > count / 2)
            let metricState = try await receiver.wait { state in
                state.latestPoints.filter { $0.name == "gen_ai.client.operation.duration" }.reduce(0) { $0 + $1.count } == requests
            }
            let points = metricState.latestPoints
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
            for point in points {
                #expect(point.attributes["gen_ai.operation.name"] == "chat")
                switch point.name {
                case "gen_ai.client.token.usage": #expect(point.unit == "{token}")
                case "gen_ai.client.operation.duration", "gen_ai.client.operation.time_to_first_chunk": #expect(point.unit == "s")
                default: Issue.record("unexpected metric \(point.name)")
                }
            }
            #expect(points.contains { $0.name == "gen_ai.client.operation.time_to_first_chunk" && $0.count > 0 })

            // Logs: after an orderly stop every record of the JSON file has arrived, once.
            #expect(try await served.stop() == 0)
            let lines = try String(contentsOfFile: json, encoding: .utf8).split(separator: "\n")
            let fileRecords = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
            let received = try await receiver.wait(timeout: .seconds(30)) { $0.logs.count >= fileRecords.count }
            #expect(received.logs.count == fileRecords.count)
            func key(_ sequence: String?, _ id: String?, _ message: String?) -> String { "\(sequence ?? "-")|\(id ?? "-")|\(message ?? "-")" }
            let fromFile = fileRecords.map { record in
                key((record["event.sequence"] as? Int).map(String.init), record["http.request.id"] as? String, record["message"] as? String)
            }
            let fromReceiver = received.logs.map { record in
                let attributes = OTLPReceiver.Received.attributes(record)
                return key(attributes["event.sequence"], attributes["http.request.id"], (record["body"] as? [String: Any])?["stringValue"] as? String)
            }
            #expect(fromFile.sorted() == fromReceiver.sorted())
            let completed = received.logs.filter { OTLPReceiver.Received.attributes($0)["event.action"] == "request.completed" }
            #expect(completed.count == totalRequests)
            #expect(received.logs.contains { ($0["body"] as? [String: Any])?["stringValue"] as? String == "Shutdown complete | Requests in flight: 0 | Completed: \(totalRequests)" })
            for secret in [headerSecret, Self.openAIKey, E2E.anthropicKey] {
                #expect(!received.text.contains(secret), "a configured secret reached the receiver")
                #expect(!lines.joined().contains(secret), "a configured secret reached the JSON log")
            }
        }
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

    /// Request latency with no OTLP, with the receiver's port refused, and with a receiver that accepts
    /// connections and never answers: the same bound, and the records lost are counted as drops.
    @Test(arguments: ["refused", "black hole"])
    func aReceiverThatIsDownNeverSlowsOrFailsRequests(_ failure: String) async throws {
        try await MockUpstream.withRunning { mock in
            let dir = try Self.tempDir("otlp-down")
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let blackHole = failure == "black hole" ? try BlackHoleListener() : nil
            defer { blackHole?.close() }
            let port: Int
            if let blackHole { port = blackHole.port } else { port = try await ServerPorts.free() }  // free: nothing listens there
            let requests = DemoWorkload.requests(count: 24)

            let baseline = try await Self.latencies(requests, env: Self.providers(mock), dir: dir + "/none")
            var env = Self.providers(mock).merging(Self.fastExport) { $1 }
            env["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:\(port)"
            let down = try await Self.latencies(requests, env: env, dir: dir + "/down", waitForDrops: true)
            print("OTLPExportTests \(failure): median latency \(down.median) vs \(baseline.median) without OTLP; slowest \(down.slowest) vs \(baseline.slowest)")
            // The sink's bound is 100 ms per burst of drops; the margin covers a loaded, shared machine.
            #expect(down.median < baseline.median + .milliseconds(250))
            #expect(down.slowest < baseline.slowest + .seconds(2))
            #expect(down.dropped > 0, "the records lost to a \(failure) receiver were not counted")
        }
    }

    struct Latencies {
        var median: Duration
        var slowest: Duration
        var dropped: Double
    }

    /// Sends the requests one at a time through a fresh `vdm serve`, then (optionally) waits for the
    /// OTLP drop counter to move.
    static func latencies(_ requests: [DemoRequest], env: [String: String], dir: String, waitForDrops: Bool = false) async throws -> Latencies {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let served = try await ServedProcess(arguments: ["--log-json", dir + "/serve.jsonl", "--no-console"], env: env,
                                             output: try openForWriting(dir + "/console.log"))
        var times: [Duration] = []
        for request in requests {
            let started = ContinuousClock.now
            let (counts, unexpected) = try await DemoTraffic.send([request], to: served.baseURL, concurrency: 1)
            times.append(ContinuousClock.now - started)
            #expect(unexpected.isEmpty && counts.values.reduce(0, +) == 1, "\(request.label): \(unexpected)")
        }
        var dropped = 0.0
        if waitForDrops {
            let deadline = ContinuousClock.now + .seconds(60)
            while dropped == 0 && ContinuousClock.now < deadline {
                dropped = ServedProcess.sample(try await served.get("/metrics").text, #"vdm_log_records_dropped_total{sink="otlp"}"#) ?? 0
                if dropped == 0 { try await Task.sleep(for: .milliseconds(100)) }
            }
        }
        let status = try await served.stop()
        #expect(status == 0, "vdm serve did not exit cleanly")
        times.sort()
        return Latencies(median: times[times.count / 2], slowest: times[times.count - 1], dropped: dropped)
    }

    @Test func aBadEndpointStopsStartupNamingTheVariable() async throws {
        let dir = try Self.tempDir("otlp-badcfg")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (variable, value) in [("OTEL_EXPORTER_OTLP_ENDPOINT", "localhost:4318"), ("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "ftp://collector/v1/logs")] {
            let child = try ChildProcess.start(ServeProcessTests.binary, ["serve", "--port", "0"],
                                               env: ["OPENAI_API_KEY": Self.openAIKey, variable: value], output: dir + "/out.log")
            child.process.waitUntilExit()
            #expect(child.process.terminationStatus == 78)
            let out = try String(contentsOfFile: dir + "/out.log", encoding: .utf8)
            #expect(out.contains("vdm: configuration error: \(variable):"), "\(out)")
        }
    }
}

/// A loopback TCP port that accepts connections (the kernel completes the handshake into the backlog)
/// and never reads or answers: a collector that hangs.
final class BlackHoleListener: Sendable {
    let fd: Int32
    let port: Int

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = fd >= 0 && withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && listen(fd, 1024) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw OTLPReceiver.Failure(description: "black hole listener: \(String(cString: strerror(errno)))") }
        self.fd = fd
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() { _ = Glibc.close(fd) }
}
