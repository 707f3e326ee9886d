import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

import MockUpstream
import VDMBench

/// `vdm bench forwarder`, the floor `vdm bench proxy` measures vdm against, must really forward:
/// the upstream's reply comes back unchanged, and each request reaches the upstream once.
@Suite struct NullForwarderTests {
    @Test(.timeLimit(.minutes(1))) func forwardsBodiesBothWaysUnchanged() async throws {
        try await MockUpstream.withRunning { mock in
            let port = try await ServerPorts.free()
            let upstream = mock.baseURL + "/v1/chat/completions"
            let server = Task { try await NullForwarder.run(host: "127.0.0.1", port: port, upstream: upstream, signals: false) }
            defer { server.cancel() }
            let body = Array(MockTestBodies.openAI("forward me").utf8)
            var forwarded: TestHTTP.Reply?
            for _ in 0..<100 {  // until it listens
                if let reply = try? await TestHTTP.post("http://127.0.0.1:\(port)/forward", body: body, timeout: .seconds(5)) {
                    forwarded = reply
                    break
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            let viaForwarder = try #require(forwarded).complete()
            #expect(viaForwarder.status == 200)
            let direct = try await TestHTTP.post(upstream, body: body, timeout: .seconds(5)).complete()
            // The mock's reply differs only in its id; compare everything else.
            let a = try #require(try JSONSerialization.jsonObject(with: Data(viaForwarder.body)) as? [String: Any])
            let b = try #require(try JSONSerialization.jsonObject(with: Data(direct.body)) as? [String: Any])
            #expect(a["object"] as? String == "chat.completion")
            #expect((a["choices"] as? [[String: Any]])?.count == (b["choices"] as? [[String: Any]])?.count)
            #expect((a["usage"] as? [String: Any])?["completion_tokens"] as? Int == (b["usage"] as? [String: Any])?["completion_tokens"] as? Int)
            let stats = try await MockTestClient.stats(mock)
            #expect(stats.requests == 2)
        }
    }
}
