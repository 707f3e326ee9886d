import AsyncHTTPClient
import Foundation
import LogPipeline
import NIOCore
import Testing
import VDMBench
import VDMProxy

/// Failures are named truthfully, once: each case through a real proxy on loopback, against the real
/// mock upstream, driven by a real client (AsyncHTTPClient, or a raw socket for what clients should
/// not do). Each asserts the client's answer and the one completed record's `error.type`.
@Suite(.serialized) struct FailureNamingTests {
    /// Waits until `condition` holds, up to `timeout`; returns whether it did.
    static func eventually(_ timeout: Duration = .seconds(10), _ condition: @Sendable () async -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return await condition()
    }

    static func request(_ body: String, path: String = "/v1/messages") -> String {
        "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    @Test func nonStreamingClientDisconnectCancelsTheUpstreamCall() async throws {
        try await E2E.run(env: ["REQUEST_TIMEOUT": "60"]) { e2e in
            let started = ContinuousClock.now
            let body = String(decoding: anthropicBody(text: "wait for me mock:hang"), as: UTF8.self)
            try await RawHTTPConnection.with(port: e2e.proxy.port) { connection in
                try await connection.send(Self.request(body))
                // The upstream holds the call: the mock's own count of hanging requests says so.
                let hanging = try await Self.eventually { e2e.mock.state.snapshot().activeHangs == 1 }
                #expect(hanging, "the upstream never received the call")
            }  // the client closes the connection here, long before REQUEST_TIMEOUT
            let done = try await e2e.completed(count: 1, timeout: .seconds(10))
            #expect(done.count == 1)
            #expect(done.first?.errorType == "client_disconnected")
            #expect(done.first?.httpStatus == 499)
            #expect(ContinuousClock.now - started < .seconds(20), "noticed at once, not after REQUEST_TIMEOUT")
            // The upstream call was cancelled: the mock saw its client (vdm) go away.
            let released = try await Self.eventually { e2e.mock.state.snapshot().activeHangs == 0 }
            #expect(released, "the upstream call was not cancelled")
            #expect(await e2e.proxy.tracker.activeCount == 0)
        }
    }

    @Test func brokenChunkedBodyIsABadRequest() async throws {
        try await E2E.run { e2e in
            let text = try await RawHTTPConnection.with(port: e2e.proxy.port) { connection in
                try await connection.send("POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                                          + "Transfer-Encoding: chunked\r\n\r\n8\r\n{\"model\"\r\nzz\r\n")
                return try await connection.readToEnd()
            }
            let response = try RawHTTPResponse(text)
            #expect(response.status == 400, "\(text)")
            let json = try JSONValue.parse(Array(response.body.utf8))
            #expect(json["type"]?.string == "error")
            #expect(json["error"]?["type"]?.string == "invalid_request_error", "\(text)")
            let done = try await e2e.completed(count: 1)
            #expect(done.count == 1)
            #expect(done.first?.errorType == "invalid_request")
            #expect(done.first?.httpStatus == 400)
        }
    }

    @Test func malformedHTTPAndUnknownRoutesAnswerWithTheEnvelope() async throws {
        try await E2E.run { e2e in
            let text = try await RawHTTPConnection.with(port: e2e.proxy.port) { connection in
                try await connection.send("GARBAGE\u{1} / HTTP/1.1\r\n\r\n")
                return try await connection.readToEnd()
            }
            let malformed = try RawHTTPResponse(text)
            #expect(malformed.status == 400, "\(text)")
            #expect(malformed.headers["content-type"] == "application/json")
            #expect(malformed.headers["connection"] == "close")
            let json = try JSONValue.parse(Array(malformed.body.utf8))
            #expect(json["error"]?["type"]?.string == "invalid_request_error", "\(text)")

            let unknown = try await e2e.get("/v2/nothing-here")
            #expect(unknown.status == 404)
            let envelope = try unknown.json()
            #expect(envelope["type"]?.string == "error")
            #expect(envelope["error"]?["type"]?.string == "not_found_error", "\(unknown.text)")
            #expect(envelope["request_id"]?.string == unknown.headers.first(name: "x-request-id"))
            let wrongMethod = try await e2e.get("/v1/messages")
            #expect(wrongMethod.status == 404 || wrongMethod.status == 405)
            #expect(try wrongMethod.json()["error"]?["type"]?.string == "not_found_error", "\(wrongMethod.text)")
            // Neither is a /v1/messages request: nothing is tracked.
            #expect(e2e.completedRecords().isEmpty)
        }
    }

    @Test(arguments: ["openai:gpt-4o", "anthropic:claude-sonnet-4"])
    func refusedUpstreamFailsFast(model: String) async throws {
        let closedPort = try await ServerPorts.free()
        let env = ["OPENAI_BASE_URL": "http://127.0.0.1:\(closedPort)/v1", "ANTHROPIC_BASE_URL": "http://127.0.0.1:\(closedPort)",
                   "STREAMING_CONNECT_TIMEOUT_SECONDS": "30"]
        try await E2E.run(env: env) { e2e in
            let started = ContinuousClock.now
            let reply = try await e2e.post(body: anthropicBody(model: model))
            let took = ContinuousClock.now - started
            #expect(reply.status == 502)
            #expect(try reply.json()["error"]?["type"]?.string == "api_error")
            #expect(took < .seconds(5), "a refused connection took \(took), the connect timeout is 30 s")
            let done = try await e2e.completed(count: 1)
            #expect(done.map(\.errorType) == ["upstream_connect_error"])
        }
    }

    struct RetryCase: Sendable, CustomTestStringConvertible {
        var model: String
        var text: String
        var stream = false
        var status: Int
        var retryAfter: String
        var errorType: String
        var testDescription: String { "\(model) \(text)" }
    }

    @Test(arguments: [
        RetryCase(model: "openai:gpt-4o", text: "x mock:status=429 mock:retry_after=7", status: 429, retryAfter: "7", errorType: "upstream_rate_limited"),
        RetryCase(model: "openai:gpt-4o", text: "x mock:status=429", stream: true, status: 429, retryAfter: "1", errorType: "upstream_rate_limited"),
        RetryCase(model: "anthropic:claude-sonnet-4", text: "x mock:status=429 mock:retry_after=30", status: 429, retryAfter: "30", errorType: "upstream_rate_limited"),
        RetryCase(model: "anthropic:claude-sonnet-4", text: "x mock:status=529 mock:retry_after=11", stream: true, status: 529, retryAfter: "11", errorType: "upstream_overloaded"),
        RetryCase(model: "openai:gpt-4o", text: "x mock:status=503 mock:retry_after=12", status: 529, retryAfter: "12", errorType: "upstream_overloaded"),
    ])
    func retryAfterReachesTheClient(_ c: RetryCase) async throws {
        try await E2E.run { e2e in
            let reply = try await e2e.post(body: anthropicBody(model: c.model, text: c.text, stream: c.stream))
            #expect(reply.status == c.status, "\(reply.text)")
            #expect(reply.headers.first(name: "retry-after") == c.retryAfter)
            let done = try await e2e.completed(count: 1)
            #expect(done.map(\.errorType) == [c.errorType])
        }
    }

    @Test func retryAfterKeepsOnlyTheRFCForms() {
        #expect(RetryAfter.sanitized("120") == "120")
        #expect(RetryAfter.sanitized(" 5 ") == "5")
        #expect(RetryAfter.sanitized("Sun, 06 Nov 1994 08:49:37 GMT") == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(RetryAfter.sanitized("12345678901") == nil)
        #expect(RetryAfter.sanitized("-1") == nil)
        #expect(RetryAfter.sanitized("1.5") == nil)
        #expect(RetryAfter.sanitized("") == nil)
        #expect(RetryAfter.sanitized("Sun, 06 Nov 1994 08:49:37 GMT; sk-secret") == nil)
        #expect(RetryAfter.sanitized("Sun, 06 Nov 1994 08:49:37 UTC") == nil)
    }

    @Test func countTokensValidatesAsMessagesDoes() async throws {
        try await E2E.run { e2e in
            let bad = [
                #"{"model":"openai:gpt-4o","messages":"hi"}"#,
                #"{"model":"openai:gpt-4o"}"#,
                #"{"model":"openai:gpt-4o","messages":[{"role":"user"}]}"#,
                #"{"model":"openai:gpt-4o","stream":"yes","messages":[{"role":"user","content":"hi"}]}"#,
                #"{"model":"openai:\#(String(repeating: "m", count: 250))","messages":[{"role":"user","content":"hi"}]}"#,
            ]
            for body in bad {
                let reply = try await e2e.post("/v1/messages/count_tokens", body: Array(body.utf8))
                #expect(reply.status == 400, "\(body): \(reply.text)")
                #expect(try reply.json()["error"]?["type"]?.string == "invalid_request_error", "\(body)")
                // The same body on /v1/messages is refused the same way.
                let messages = try await e2e.post(body: Array(body.utf8))
                #expect(messages.status == 400, "\(body): \(messages.text)")
            }
            // "Hello there!" is 12 characters: 12 / 4 = 3 (TokenEstimator's documented rule).
            let good = try await e2e.post("/v1/messages/count_tokens",
                                          body: Array(#"{"model":"openai:gpt-4o","messages":[{"role":"user","content":"Hello there!"}]}"#.utf8))
            #expect(good.status == 200, "\(good.text)")
            #expect(try good.json()["input_tokens"]?.int == 3)
        }
    }

    @Test func modelNamesUpToTheBoundAreKeptLongerOnesAreNot() async throws {
        try await E2E.run { e2e in
            let longest = "openai:" + String(repeating: "m", count: RecordBounds.maxModelBytes - 7)
            let ok = try await e2e.post(body: anthropicBody(model: longest))
            #expect(ok.status == 200, "\(ok.text)")
            let tooLong = try await e2e.post(body: anthropicBody(model: longest + "m"))
            #expect(tooLong.status == 400)
            #expect(try tooLong.json()["error"]?["message"]?.string?.contains("model: longer than 256 bytes") == true, "\(tooLong.text)")
            let done = try await e2e.completed(count: 2)
            #expect(done.count == 2)
            #expect(done.first { $0.errorType == nil }?.requestedModel == longest)
            let refused = done.first { $0.errorType == "invalid_request" }
            #expect(refused?.requestedModel == "", "an over-long model name is not kept")
        }
    }

    @Test func streamCutByTheShutdownDeadlineEndsWithAnErrorEvent() async throws {
        try await E2E.run(env: ["VDM_SHUTDOWN_GRACE_SECONDS": "1"]) { e2e in
            var request = HTTPClientRequest(url: e2e.proxy.baseURL + "/v1/messages")
            request.method = .POST
            request.headers.add(name: "content-type", value: "application/json")
            let long = String(repeating: "a long story ", count: 200)
            request.body = .bytes(ByteBuffer(bytes: anthropicBody(text: long + " mock:slowstream=200", stream: true)))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            #expect(response.status == .ok)
            var iterator = response.body.makeAsyncIterator()
            var bytes: [UInt8] = []
            if let first = try await iterator.next() { bytes += first.readableBytesView }
            // A non-streaming request still waiting on its upstream at the deadline: a 503.
            let waiting = Task { try await e2e.post(body: anthropicBody(text: "x mock:hang")) }
            let hanging = try await Self.eventually { e2e.mock.state.snapshot().activeHangs == 1 }
            #expect(hanging)
            let shutdownBegan = ContinuousClock.now
            await e2e.proxy.beginShutdown()
            while let chunk = try await iterator.next() { bytes += chunk.readableBytesView }
            let took = ContinuousClock.now - shutdownBegan
            #expect(took >= .milliseconds(900), "the grace period was not given: \(took)")
            #expect(took < .seconds(10))
            var parser = SSEParser()
            let events = try parser.feed(bytes) + parser.finish()
            let last = try #require(events.last)
            #expect(last.event == "error", "\(String(decoding: bytes, as: UTF8.self).suffix(300))")
            let error = try JSONValue.parse(Array(last.data.utf8))
            #expect(error["error"]?["type"]?.string == "api_error")
            #expect(error["error"]?["message"]?.string?.contains("shutting down") == true, "\(last.data)")
            #expect(!events.contains { $0.event == "message_stop" })
            let cut = try await waiting.value
            #expect(cut.status == 503, "\(cut.text)")
            #expect(try cut.json()["error"]?["type"]?.string == "api_error")
            let done = try await e2e.completed(count: 2)
            #expect(done.map(\.errorType) == ["server_shutdown", "server_shutdown"])
            #expect(Set(done.map(\.httpStatus)) == [200, 503])
        }
    }
}
