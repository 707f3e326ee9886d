import AsyncHTTPClient
import Foundation
import NIOCore
import Testing
import VDMProxy
import MockUpstream
import VDMBench
import VDMDemo

/// Behaviour only a real process shows: `vdm mock-upstream` serving and stopping on SIGTERM, and the
/// JSON log writer's documented fallback when its destination fails (a full disk: `/dev/full`).
@Suite struct ProcessCoverageTests {
    static func temporaryDirectory(_ name: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vdm-\(name)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func mockUpstreamRunsAsAProcessAndStopsOnSIGTERM() async throws {
        #expect(FileManager.default.isExecutableFile(atPath: ServeProcessTests.binary), "build the vdm product first (swift build)")
        let port = try await ServerPorts.free()
        let dir = try Self.temporaryDirectory("mock-process")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let child = try ChildProcess.start(ServeProcessTests.binary, ["mock-upstream", "--port", String(port)], env: [:], output: dir + "/out.log")
        defer { child.stop() }
        let base = "http://127.0.0.1:\(port)"
        try await ProxyBench.waitUntilUp(base + "/health")

        let body = #"{"model":"m-1","messages":[{"role":"user","content":"hi mock:cache=2"}]}"#
        let reply = try await HTTPClient.shared.execute(TestHTTP.jsonPost(base + "/v1/chat/completions", body: Array(body.utf8)),
                                                        timeout: .seconds(10))
        #expect(reply.status == .ok)
        let completion = try JSONTestValue.object(String(buffer: try await reply.body.collect(upTo: 1 << 20)))
        #expect(completion["object"] as? String == "chat.completion")
        #expect(completion["model"] as? String == "m-1")
        let usage = try #require(completion["usage"] as? [String: Any])
        let details = try #require(usage["prompt_tokens_details"] as? [String: Any])
        #expect(details["cached_tokens"] as? Int == 2)

        let statsReply = try await HTTPClient.shared.execute(HTTPClientRequest(url: base + "/mock/stats"), timeout: .seconds(5))
        let stats = try JSONTestValue.object(String(buffer: try await statsReply.body.collect(upTo: 1 << 20)))
        #expect(stats["requests"] as? Int == 1)
        #expect(stats["completed_replies"] as? Int == 1)
        #expect(stats["cache_read_tokens"] as? Int == 2)
        #expect(stats["output_tokens"] as? Int == usage["completion_tokens"] as? Int)

        #expect(try await child.stop(timeout: .seconds(60)) == 0)
        let out = try String(contentsOfFile: dir + "/out.log", encoding: .utf8)
        #expect(out.contains("mock upstream listening on http://127.0.0.1:\(port)"), "\(out)")
    }

    /// docs: a failed destination (disk full, closed pipe) is said once on stderr, then every record
    /// goes to stderr instead — none is lost.
    @Test func aJSONLogOnAFullDiskFallsBackToStandardErrorAndSaysSoOnce() async throws {
        #expect(FileManager.default.isExecutableFile(atPath: ServeProcessTests.binary), "build the vdm product first (swift build)")
        try await MockUpstream.withRunning { mock in
            let port = try await ServerPorts.free()
            let dir = try Self.temporaryDirectory("full-disk")
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let child = try ChildProcess.start(ServeProcessTests.binary, ["serve", "--port", String(port), "--log-json", "/dev/full"],
                                               env: ["OPENAI_API_KEY": "sk-full-disk-0123456789abcdefghij", "OPENAI_BASE_URL": mock.baseURL + "/v1"],
                                               output: dir + "/out.log")
            defer { child.stop() }
            try await ProxyBench.waitUntilUp("http://127.0.0.1:\(port)/health")
            for text in ["first", "second"] {
                let reply = try await HTTPClient.shared.execute(
                    TestHTTP.jsonPost("http://127.0.0.1:\(port)/v1/messages", body: anthropicBody(text: text)), timeout: .seconds(20))
                #expect(reply.status == .ok)
                _ = try await reply.body.collect(upTo: 1 << 20)
            }
            #expect(try await child.stop(timeout: .seconds(60)) == 0)
            let out = try String(contentsOfFile: dir + "/out.log", encoding: .utf8)
            let note = "vdm: log destination failed (No space left on device); writing to stderr\n"
            #expect(out.components(separatedBy: note).count == 2, "the note once: \(out.suffix(2_000))")
            let completed = out.split(separator: "\n").filter { $0.hasPrefix("{") && $0.contains(#""event.action":"request.completed""#) }
            #expect(completed.count == 2, "both requests' records reach stderr: \(out.suffix(2_000))")
            #expect(!out.contains("sk-full-disk-0123456789abcdefghij"))
        }
    }
}
