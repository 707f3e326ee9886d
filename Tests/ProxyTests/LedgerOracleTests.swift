import AsyncHTTPClient
import Foundation
import LogPipeline
import NIOCore
import Testing
import Yams
import VDMProxy
import MockUpstream
import VDMBench
import VDMDemo

/// An oracle that shares no code with vdm's aggregation: a seeded mixed workload (streaming or not,
/// tools, cache reads and writes, upstream errors, cut and malformed replies, clients that leave
/// mid-stream) through the real `vdm serve` to the real mock upstream; the expected totals are
/// computed here, by hand, from the mock's own ledger of what it reported per request
/// (`GET /mock/ledger`), and compared with the live `/metrics/running-totals` and with `vdm replay`
/// of the process's JSON log — both read with Yams, not with vdm's renderers or `MetricsAggregate`.
@Suite struct LedgerOracleTests {
    /// What the totals hold for one (provider, model, streaming) cell.
    struct Tally: Equatable, CustomStringConvertible {
        var requests = 0, errors = 0, input = 0, output = 0, cacheRead = 0, cacheCreation = 0, toolCalls = 0
        var description: String {
            "req \(requests) err \(errors) in \(input) out \(output) cr \(cacheRead) cw \(cacheCreation) tools \(toolCalls)"
        }
    }

    /// One request of the workload.
    struct Step: Sendable {
        var anthropicProvider: Bool
        var stream: Bool
        var tools: Bool
        var directives: String
        /// The client reads the first event, then closes the connection.
        var clientCut: Bool
    }

    static func step(_ rng: inout SplitMix64) -> Step {
        let anthropic = Bool.random(using: &rng)
        let stream = Bool.random(using: &rng)
        var step = Step(anthropicProvider: anthropic, stream: stream, tools: false, directives: "", clientCut: false)
        switch Int.random(in: 0..<12, using: &rng) {
        case 0...3: break  // a plain reply
        case 4: step.directives = "mock:cache=\(Int.random(in: 1...6, using: &rng))"
        case 5: step.directives = anthropic ? "mock:cache=3 mock:cache_create=\(Int.random(in: 1...9, using: &rng))" : "mock:cache=2"
        case 6: step.tools = true; step.directives = "mock:tools=\(Int.random(in: 1...3, using: &rng))"
        case 7: step.directives = "mock:status=" + ["429", "500", "503", "400"][Int.random(in: 0..<4, using: &rng)]
        case 8: step.directives = "mock:cut=\(Int.random(in: 1...3, using: &rng))"
        case 9: step.directives = "mock:malformed"
        case 10: step.stream = true; step.directives = "mock:stream_error"
        default: step.stream = true; step.clientCut = true; step.directives = "mock:slowstream=300"
        }
        return step
    }

    static func body(_ step: Step, index: Int) -> String {
        let model = step.anthropicProvider ? "anthropic:claude-ledger" : "openai:gpt-ledger"
        let tools = step.tools
            ? #","tools":[{"name":"get_weather","description":"Weather for a city","input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}]"#
            : ""
        return #"{"model":"\#(model)","max_tokens":64,"stream":\#(step.stream)\#(tools),"messages":[{"role":"user","content":"request \#(index) of the ledger workload \#(step.directives)"}]}"#
    }

    @Test func liveTotalsAndReplayEqualWhatTheMockReported() async throws {
        #expect(FileManager.default.isExecutableFile(atPath: ServeProcessTests.binary), "build the vdm product first (swift build)")
        let seed = ProcessInfo.processInfo.environment["VDM_TEST_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 0...UInt64(UInt32.max))
        print("LedgerOracleTests seed \(seed) (rerun with VDM_TEST_SEED=\(seed))")
        var rng = SplitMix64(state: seed)
        let steps = (0..<48).map { _ in Self.step(&rng) }

        try await MockUpstream.withRunning { mock in
            let port = try await ServerPorts.free()
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vdm-ledger-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let json = dir + "/serve.jsonl"
            let child = try ChildProcess.start(ServeProcessTests.binary, ["serve", "--port", String(port), "--log-json", json], env: [
                "OPENAI_API_KEY": "sk-ledger-openai-0123456789abcdefghij", "OPENAI_BASE_URL": mock.baseURL + "/v1",
                "ANTHROPIC_API_KEY": "sk-ant-ledger-0123456789abcdefghij", "ANTHROPIC_BASE_URL": mock.baseURL,
                "LOG_SUMMARY_INTERVAL": "0", "REQUEST_TIMEOUT": "30",
            ], output: dir + "/console.log")
            defer { child.stop() }
            let base = "http://127.0.0.1:\(port)"
            try await ProxyBench.waitUntilUp(base + "/health")

            // Four at a time, in seeded order.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, step) in steps.enumerated() {
                    if index >= 4 { try await group.next() }
                    group.addTask { try await Self.send(step, index: index, port: port) }
                }
                try await group.waitForAll()
            }

            // Every request answered on both sides: no ledger entry open, nothing in flight in vdm.
            let ledger = try await Self.settledLedger(mock.baseURL, proxy: base)
            #expect(ledger.count == steps.count, "each client request reached the upstream exactly once (seed \(seed))")
            let expected = Self.expected(ledger)

            let live = try await Self.get(base + "/metrics/running-totals?include_active=false")
            let liveTotals = try Self.tallies(yaml: live)
            #expect(try await child.stop(timeout: .seconds(60)) == 0)

            let replay = try await ExternalTool.run(ServeProcessTests.binary, ["replay", "--quiet", json])
            #expect(replay.status == 0, "\(replay.stderr)")
            let replayTotals = try Self.tallies(yaml: replay.stdout)

            for (name, actual) in [("live /metrics/running-totals", liveTotals), ("vdm replay", replayTotals)] {
                for key in Set(expected.keys).union(actual.keys).sorted() where actual[key] != expected[key] {
                    // The cell's requests on both sides, for the diagnosis.
                    let entries = ledger.filter { "\($0.format)/\($0.model)/\($0.stream ? "streaming" : "non_streaming")" == key }
                        .map { "#\($0.seq) \($0.outcome.rawValue) \($0.usage)" }
                    let records = (try? String(contentsOfFile: json, encoding: .utf8))?.split(separator: "\n")
                        .filter { $0.contains(#""event.action":"request.completed""#) && $0.contains(#""gen_ai.request.model":"\#(key.split(separator: "/")[1])""#) }
                        .map { Self.brief($0) } ?? []
                    Issue.record("""
                        seed \(seed) \(name) \(key): \(actual[key].map(\.description) ?? "absent") ≠ ledger \(expected[key].map(\.description) ?? "absent")
                        ledger: \(entries.joined(separator: "; "))
                        records: \(records.joined(separator: "; "))
                        """)
                }
            }
            let all = expected.values.reduce(into: Tally()) { sum, t in
                sum.requests += t.requests; sum.errors += t.errors; sum.input += t.input; sum.output += t.output
                sum.cacheRead += t.cacheRead; sum.cacheCreation += t.cacheCreation; sum.toolCalls += t.toolCalls
            }
            for (name, text) in [("live", live), ("replay", replay.stdout)] {
                let summary = try #require((try Yams.load(yaml: text) as? [String: Any])?["summary"] as? [String: Any], "\(name): \(text.prefix(400))")
                #expect(summary["total_requests"] as? Int == all.requests, "seed \(seed) \(name)")
                #expect(summary["total_errors"] as? Int == all.errors, "seed \(seed) \(name)")
                #expect(summary["total_input_tokens"] as? Int == all.input, "seed \(seed) \(name)")
                #expect(summary["total_output_tokens"] as? Int == all.output, "seed \(seed) \(name)")
                #expect(summary["total_cache_read_tokens"] as? Int == all.cacheRead, "seed \(seed) \(name)")
                #expect(summary["total_cache_creation_tokens"] as? Int == all.cacheCreation, "seed \(seed) \(name)")
                #expect(summary["total_tool_calls"] as? Int == all.toolCalls, "seed \(seed) \(name)")
            }
        }
    }

    /// The totals the ledger implies, by "provider/model/streaming|non_streaming". The provider is the
    /// upstream's format (this test configures one provider per format); any outcome but `completed`
    /// is an error; tokens are what the mock reported.
    static func expected(_ ledger: [MockLedgerEntry]) -> [String: Tally] {
        var cells: [String: Tally] = [:]
        for entry in ledger {
            let key = "\(entry.format)/\(entry.model)/\(entry.stream ? "streaming" : "non_streaming")"
            var t = cells[key] ?? Tally()
            t.requests += 1
            if entry.outcome != .completed { t.errors += 1 }
            t.input += entry.usage.input
            t.output += entry.usage.output
            t.cacheRead += entry.usage.cacheRead
            t.cacheCreation += entry.usage.cacheCreation
            t.toolCalls += entry.usage.toolCalls
            cells[key] = t
        }
        return cells
    }

    /// The same cells read from a running-totals YAML document.
    static func tallies(yaml text: String) throws -> [String: Tally] {
        guard let doc = try Yams.load(yaml: text) as? [String: Any] else { throw TestFailure("not a YAML mapping: \(text.prefix(400))") }
        var cells: [String: Tally] = [:]
        for (provider, value) in doc["providers"] as? [String: Any] ?? [:] {
            for (model, sections) in (value as? [String: Any])?["models"] as? [String: Any] ?? [:] {
                for kind in ["streaming", "non_streaming"] {
                    guard let s = (sections as? [String: Any])?[kind] as? [String: Any] else { continue }
                    func n(_ key: String) -> Int { s[key] as? Int ?? -1 }
                    cells["\(provider)/\(model)/\(kind)"] = Tally(
                        requests: n("requests"), errors: n("errors"), input: n("input_tokens"), output: n("output_tokens"),
                        cacheRead: n("cache_read_tokens"), cacheCreation: n("cache_creation_tokens"), toolCalls: n("tool_calls"))
                }
            }
        }
        return cells
    }

    /// A completed record's fields that matter here, for a failure message.
    static func brief(_ line: Substring) -> String {
        ["vdm.streaming", "error.type", "vdm.usage.input_tokens", "gen_ai.usage.output_tokens", "vdm.usage.cache_read_input_tokens", "vdm.tool_calls"]
            .map { key in
                guard let range = line.range(of: "\"\(key)\":") else { return "" }
                return key.split(separator: ".").last.map(String.init).map { $0 + "=" } .map { $0 + line[range.upperBound...].prefix { $0 != "," && $0 != "}" } } ?? ""
            }.joined(separator: " ")
    }

    static func send(_ step: Step, index: Int, port: Int) async throws {
        let body = Self.body(step, index: index)
        if step.clientCut {
            // Raw TCP: read until the first content event has arrived, then close the connection.
            try await RawHTTPConnection.with(port: port) { connection in
                try await connection.send("POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                                          + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)")
                var seen = ""
                for try await buffer in connection.inbound {
                    seen += String(buffer: buffer)
                    if seen.contains("event: content_block_") { break }
                }
            }
            return
        }
        // Whatever the client sees (an error status, a broken stream) is not the point here: the
        // totals are, and they are checked against the ledger.
        guard let response = try? await HTTPClient.shared.execute(
            TestHTTP.jsonPost("http://127.0.0.1:\(port)/v1/messages", body: Array(body.utf8)), timeout: .seconds(60))
        else { return }
        _ = try? await response.body.collect(upTo: 16 << 20)
    }

    static func get(_ url: String) async throws -> String {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        return String(buffer: try await response.body.collect(upTo: 16 << 20))
    }

    /// Waits (bounded) until the mock has closed every ledger entry and vdm has nothing in flight.
    static func settledLedger(_ mock: String, proxy: String) async throws -> [MockLedgerEntry] {
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            let ledger = try JSONDecoder().decode([MockLedgerEntry].self, from: Data(try await get(mock + "/mock/ledger").utf8))
            let active = try JSONTestValue.object(try await get(proxy + "/metrics/active-requests"))["active_requests"] as? [Any]
            if !ledger.contains(where: { $0.outcome == .inProgress }), active?.isEmpty == true { return ledger }
            guard ContinuousClock.now < deadline else {
                throw TestFailure("not settled after 60 s: \(ledger.filter { $0.outcome == .inProgress }.count) open ledger entries, \(active?.count ?? -1) in flight")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}
