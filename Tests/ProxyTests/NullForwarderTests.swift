import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

@testable import vdm

/// `vdm bench forwarder`, the floor `vdm bench proxy` measures vdm against, must really forward:
/// the upstream's reply comes back unchanged, and each request reaches the upstream once.
@Suite struct NullForwarderTests {
    @Test(.timeLimit(.minutes(1))) func forwardsBodiesBothWaysUnchanged() async throws {
        try await MockUpstream.withRunning { mock in
            let port = try await ServerBootstrapPort.bind()
            let upstream = mock.baseURL + "/v1/chat/completions"
            let server = Task { try await NullForwarder.run(host: "127.0.0.1", port: port, upstream: upstream, signals: false) }
            defer { server.cancel() }
            let body = Array(MockTestBodies.openAI("forward me").utf8)
            var forwarded: HTTPClientResponse?
            for _ in 0..<100 {  // until it listens
                if let response = try? await HTTPClient.shared.execute(HTTPClientRequestBuilder.post("http://127.0.0.1:\(port)/forward", body: body),
                                                                       timeout: .seconds(5)) {
                    forwarded = response
                    break
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            let response = try #require(forwarded)
            #expect(response.status == .ok)
            let viaForwarder = try await response.body.collect(upTo: 1 << 20)
            let direct = try await HTTPClient.shared.execute(HTTPClientRequestBuilder.post(upstream, body: body), timeout: .seconds(5))
            let directBody = try await direct.body.collect(upTo: 1 << 20)
            // The mock's reply differs only in its id; compare everything else.
            let a = try #require(try JSONSerialization.jsonObject(with: Data(buffer: viaForwarder)) as? [String: Any])
            let b = try #require(try JSONSerialization.jsonObject(with: Data(buffer: directBody)) as? [String: Any])
            #expect(a["object"] as? String == "chat.completion")
            #expect((a["choices"] as? [[String: Any]])?.count == (b["choices"] as? [[String: Any]])?.count)
            #expect((a["usage"] as? [String: Any])?["completion_tokens"] as? Int == (b["usage"] as? [String: Any])?["completion_tokens"] as? Int)
            let stats = try await MockTestClient.stats(mock)
            #expect(stats.requests == 2)
        }
    }
}
