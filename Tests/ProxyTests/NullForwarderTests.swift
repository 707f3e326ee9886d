import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

@testable import MockUpstream
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
            // Wait until it listens with a request that never reaches the upstream (any reply will do),
            // so the mock's count below holds exactly the two POSTs (a timed-out POST probe retried under
            // load once counted three).
            let deadline = ContinuousClock.now + .seconds(30)
            while (try? await TestHTTP.send("http://127.0.0.1:\(port)/", timeout: .seconds(5))) == nil {
                guard ContinuousClock.now < deadline else { Issue.record("the forwarder did not listen within 30 s"); return }
                try await Task.sleep(for: .milliseconds(50))
            }
            let viaForwarder = try await TestHTTP.post("http://127.0.0.1:\(port)/forward", body: body).complete()
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
