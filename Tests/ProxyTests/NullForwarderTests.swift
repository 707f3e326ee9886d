import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

import MockUpstream
import VDMBench

/// `vdm bench forwarder`, the floor `vdm bench proxy` measures vdm against, must really forward:
/// the upstream's reply comes back unchanged, and each request reaches the upstream once.
@Suite struct NullForwarderTests {
    /// The text and the number of `data:` events of an OpenAI SSE reply.
    static func streamed(_ reply: TestHTTP.Reply) throws -> (text: String, events: Int, done: Bool) {
        let lines = reply.text.split(separator: "\n").filter { $0.hasPrefix("data: ") }.map { $0.dropFirst(6) }
        var text = ""
        for line in lines where line != "[DONE]" {
            let event = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let choices = event["choices"] as? [[String: Any]] ?? []
            text += choices.compactMap { ($0["delta"] as? [String: Any])?["content"] as? String }.joined()
        }
        return (text, lines.count, lines.last == "[DONE]")
    }

    /// Until the forwarder listens, probed with a request that never reaches the upstream (any reply
    /// will do), so the mock's count holds exactly the POSTs a test sends: a POST probe that timed out
    /// under load, yet was forwarded, once counted three.
    static func waitUntilListening(_ port: Int) async throws {
        try await Deadline.waitUntil("the forwarder listens on \(port)", timeout: .seconds(30), poll: .milliseconds(50)) {
            (try? await TestHTTP.send("http://127.0.0.1:\(port)/", timeout: .seconds(5))) != nil
        }
    }

    @Test(.timeLimit(.minutes(1))) func relaysStreamsUnchanged() async throws {
        try await MockUpstream.withRunning { mock in
            let port = try await ServerPorts.free()
            let upstream = mock.baseURL + "/v1/chat/completions"
            let server = Task { try await NullForwarder.run(host: "127.0.0.1", port: port, upstream: upstream, signals: false) }
            defer { server.cancel() }
            let body = Array(MockTestBodies.openAI("stream me through", stream: true).utf8)
            try await Self.waitUntilListening(port)
            let relayed = try await TestHTTP.post("http://127.0.0.1:\(port)/forward-stream", body: body).complete()
            #expect(relayed.status == 200)
            #expect(relayed.fields["content-type"] == "text/event-stream")
            let direct = try await TestHTTP.post(upstream, body: body, timeout: .seconds(5)).complete()
            let a = try Self.streamed(relayed)
            let b = try Self.streamed(direct)
            // The mock's replies differ only in their ids: same events, same text, both terminated.
            #expect(a.events == b.events)
            #expect(a.events > 2)
            #expect(a.text == b.text)
            #expect(!a.text.isEmpty)
            #expect(a.done && b.done)
            let stats = try await MockTestClient.stats(mock)
            #expect(stats.requests == 2)
        }
    }

    @Test(.timeLimit(.minutes(1))) func forwardsBodiesBothWaysUnchanged() async throws {
        try await MockUpstream.withRunning { mock in
            let port = try await ServerPorts.free()
            let upstream = mock.baseURL + "/v1/chat/completions"
            let server = Task { try await NullForwarder.run(host: "127.0.0.1", port: port, upstream: upstream, signals: false) }
            defer { server.cancel() }
            let body = Array(MockTestBodies.openAI("forward me").utf8)
            try await Self.waitUntilListening(port)
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
