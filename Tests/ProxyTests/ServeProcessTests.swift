import AsyncHTTPClient
import Foundation
import NIOCore
import Testing
import MockUpstream
import VDMBench

/// The real `vdm serve` binary: SIGTERM lets an in-flight request finish and flushes the JSON log.
@Suite struct ServeProcessTests {
    static var binary: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/debug/vdm").path
    }

    @Test func sigtermDrainsInFlightRequestsAndFlushesLogs() async throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.binary), "build the vdm product first (swift build)")
        try await MockUpstream.withRunning { mock in
            let port = try await ServerPorts.free()
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vdm-serve-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let json = dir + "/serve.jsonl"
            let child = try ChildProcess.start(Self.binary, ["serve", "--port", String(port), "--log-json", json],
                                               env: ["OPENAI_API_KEY": "sk-serve-test-0123456789abcdefghij", "OPENAI_BASE_URL": mock.baseURL + "/v1"],
                                               output: dir + "/console.log")
            defer { child.stop() }
            try await ProxyBench.waitUntilUp("http://127.0.0.1:\(port)/health")
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/messages")
            request.method = .POST
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: anthropicBody(text: "slow one mock:latency=3000")))
            async let reply = HTTPClient.shared.execute(request, timeout: .seconds(20))
            // SIGTERM only once the request is in flight (the proxy lists it), not after a guessed delay.
            let deadline = ContinuousClock.now + .seconds(15)
            var inFlight = false
            while !inFlight, ContinuousClock.now < deadline {
                let active = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/metrics/active-requests"), timeout: .seconds(5))
                inFlight = String(buffer: try await active.body.collect(upTo: 1 << 20)).contains("\"request_id\"")
                if !inFlight { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(inFlight, "the slow request never showed in /metrics/active-requests")
            kill(child.process.processIdentifier, SIGTERM)
            let response = try await reply
            #expect(response.status == .ok)
            _ = try await response.body.collect(upTo: 1 << 20)
            #expect(try await child.exitStatus(within: .seconds(60)) == 0)
            let log = try String(contentsOfFile: json, encoding: .utf8)
            #expect(log.contains(#""event.action":"request.completed""#))
            #expect(log.contains("Shutdown complete"))
            #expect(!log.contains("sk-serve-test-0123456789abcdefghij"))
            let console = try String(contentsOfFile: dir + "/console.log", encoding: .utf8)
            #expect(console.contains("SUCCESS | Duration:"))
        }
    }

    @Test func badConfigurationStopsStartupNamingTheVariable() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vdm-badcfg-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let child = try ChildProcess.start(Self.binary, ["serve", "--port", "0"], env: ["OPENAI_API_KEY": "x", "OPENAI_API_FORMAT": "soap"], output: dir)
        #expect(try await child.exitStatus(within: .seconds(60)) == 78)
        let text = try String(contentsOfFile: dir, encoding: .utf8)
        #expect(text.contains("OPENAI_API_FORMAT"))
    }

    @Test func badEventLoopCountStopsStartupNamingTheVariable() async throws {
        for bad in ["0", "two", "-1", "100000"] {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vdm-badloops-\(UUID().uuidString).log").path
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let child = try ChildProcess.start(Self.binary, ["serve", "--port", "0"], env: ["OPENAI_API_KEY": "x", "VDM_EVENT_LOOPS": bad], output: dir)
            #expect(try await child.exitStatus(within: .seconds(60)) == 78, "\(bad)")
            let text = try String(contentsOfFile: dir, encoding: .utf8)
            #expect(text.contains("VDM_EVENT_LOOPS"), "\(text)")
        }
    }
}
