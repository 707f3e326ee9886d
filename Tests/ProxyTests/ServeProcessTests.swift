import AsyncHTTPClient
import Foundation
import NIOCore
import Testing
import MockUpstream
import VDMBench

/// The real `vdm serve` binary: SIGTERM lets an in-flight request finish and flushes the JSON log.
@Suite struct ServeProcessTests {
    @Test func sigtermDrainsInFlightRequestsAndFlushesLogs() async throws {
        try VDMProcess.requireBinary()
        try await MockUpstream.withRunning { mock in
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vdm-serve-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let json = dir + "/serve.jsonl"
            let served = try await VDMProcess(serving: ["--log-json", json],
                                              env: ["OPENAI_API_KEY": "sk-serve-test-0123456789abcdefghij", "OPENAI_BASE_URL": mock.baseURL + "/v1"],
                                              output: dir + "/console.log")
            let child = served.child
            defer { child.stop() }
            let port = served.port
            async let reply = TestHTTP.post("http://127.0.0.1:\(port)/v1/messages", body: anthropicBody(text: "slow one mock:latency=3000"),
                                            timeout: .seconds(20))
            // SIGTERM only once the request is in flight (the proxy lists it), not after a guessed delay.
            try await Deadline.waitUntil("the slow request shows in /metrics/active-requests", timeout: .seconds(15), poll: .milliseconds(20)) {
                try await TestHTTP.send("http://127.0.0.1:\(port)/metrics/active-requests", timeout: .seconds(5)).complete().text.contains("\"request_id\"")
            }
            kill(child.process.processIdentifier, SIGTERM)
            let response = try await reply.complete()
            #expect(response.status == 200)
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
        let child = try VDMProcess.start(["serve", "--port", "0"], env: ["OPENAI_API_KEY": "x", "OPENAI_API_FORMAT": "soap"], output: dir)
        #expect(try await child.exitStatus(within: .seconds(60)) == 78)
        let text = try String(contentsOfFile: dir, encoding: .utf8)
        #expect(text.contains("OPENAI_API_FORMAT"))
    }

    @Test func badEventLoopCountStopsStartupNamingTheVariable() async throws {
        for bad in ["0", "two", "-1", "100000"] {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vdm-badloops-\(UUID().uuidString).log").path
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let child = try VDMProcess.start(["serve", "--port", "0"], env: ["OPENAI_API_KEY": "x", "VDM_EVENT_LOOPS": bad], output: dir)
            #expect(try await child.exitStatus(within: .seconds(60)) == 78, "\(bad)")
            let text = try String(contentsOfFile: dir, encoding: .utf8)
            #expect(text.contains("VDM_EVENT_LOOPS"), "\(text)")
        }
    }
}
