import Foundation
import Logging
import Synchronization
import Testing

import MockUpstream

/// Fault injection, stats and request recording of the mock upstream, over real HTTP.
@Suite("Mock upstream faults and bookkeeping")
struct MockUpstreamFaultTests {
    static let statuses = [400, 401, 429, 500, 503, 529]

    @Test(arguments: statuses)
    func statusDirectiveBothFormats(status: Int) async throws {
        try await MockUpstream.withRunning { mock in
            let anthropic = try await MockTestClient.send(
                mock,
                path: "/v1/messages",
                body: MockTestBodies.anthropic("please fail mock:status=\(status)", stream: true)
            )
            #expect(anthropic.status == status)
            #expect(anthropic.headers["content-type"] == "application/json")
            let anthropicJSON = try anthropic.json()
            #expect(anthropicJSON.mockString("type") == "error")
            let error = try #require(anthropicJSON.mockDict("error"))
            let expectedType: String =
                switch status {
                case 400: "invalid_request_error"
                case 401: "authentication_error"
                case 429: "rate_limit_error"
                case 500: "api_error"
                default: "overloaded_error"
                }
            #expect(error.mockString("type") == expectedType)
            #expect(error.mockString("message")?.isEmpty == false)
            #expect((anthropic.headers["retry-after"] != nil) == (status == 429))

            let openAI = try await MockTestClient.send(
                mock,
                path: "/v1/chat/completions",
                body: MockTestBodies.openAI("please fail mock:status=\(status)")
            )
            #expect(openAI.status == status)
            let openAIError = try #require(try openAI.json().mockDict("error"))
            #expect(openAIError.mockString("message")?.isEmpty == false)
            #expect(openAIError.mockString("type")?.isEmpty == false)
            #expect(openAIError.mockString("code")?.isEmpty == false)
            #expect((openAI.headers["retry-after"] != nil) == (status == 429))
            if status == 429 {
                #expect(openAI.headers["retry-after"] == "1")
            }

            let stats = try await MockTestClient.stats(mock)
            #expect(stats.faults.status == 2)
            #expect(stats.requests == 2)
            #expect(stats.outputTokens == 0)
        }
    }

    @Test func faultHeaderUsesTheSameSyntax() async throws {
        try await MockUpstream.withRunning { mock in
            let reply = try await MockTestClient.send(
                mock,
                path: "/v1/messages",
                body: MockTestBodies.anthropic("an ordinary message"),
                headers: ["x-mock-fault": "mock:status=429 mock:retry_after=7"]
            )
            #expect(reply.status == 429)
            #expect(reply.headers["retry-after"] == "7")
            #expect(try reply.json().mockDict("error")?.mockString("type") == "rate_limit_error")
        }
    }

    @Test func cutClosesTheConnectionMidStream() async throws {
        try await MockUpstream.withRunning { mock in
            let anthropic = try await MockTestClient.send(
                mock,
                path: "/v1/messages",
                body: MockTestBodies.anthropic("cut me off mock:cut=3", stream: true)
            )
            #expect(anthropic.status == 200)
            #expect(anthropic.bodyError != nil, "the client must see an error, not a clean end")
            let events = MockTestClient.events(anthropic.text)
            #expect(events.count == 3)
            #expect(events.map(\.event) == ["message_start", "content_block_start", "ping"])
            #expect(!anthropic.text.contains("message_stop"))

            let openAI = try await MockTestClient.send(
                mock,
                path: "/v1/chat/completions",
                body: MockTestBodies.openAI("cut me off mock:cut=2", stream: true, includeUsage: true)
            )
            #expect(openAI.bodyError != nil)
            #expect(MockTestClient.events(openAI.text).count == 2)
            #expect(!openAI.text.contains("[DONE]"))

            // Non-streaming: part of the announced body, then the connection drops.
            let plain = try await MockTestClient.send(mock, path: "/v1/messages", body: MockTestBodies.anthropic("mock:cut=1"))
            #expect(plain.bodyError != nil)

            // A cut larger than the stream still never sends the terminal event.
            let late = try await MockTestClient.send(
                mock,
                path: "/v1/chat/completions",
                body: MockTestBodies.openAI("mock:cut=1000", stream: true)
            )
            #expect(late.bodyError != nil)
            #expect(!late.text.contains("[DONE]"))

            let stats = try await MockTestClient.stats(mock)
            #expect(stats.faults.cut == 4)
            #expect(stats.completedReplies == 0)
        }
    }

    @Test func malformedInsertsOneInvalidDataLine() async throws {
        try await MockUpstream.withRunning { mock in
            for (path, body) in [
                ("/v1/messages", MockTestBodies.anthropic("mock:malformed please", stream: true)),
                ("/v1/chat/completions", MockTestBodies.openAI("mock:malformed please", stream: true)),
            ] {
                let reply = try await MockTestClient.send(mock, path: path, body: body)
                #expect(reply.status == 200)
                #expect(reply.bodyError == nil)
                let events = MockTestClient.events(reply.text)
                let invalid = events.filter { event in
                    event.data != "[DONE]" && (try? JSONSerialization.jsonObject(with: Data(event.data.utf8))) == nil
                }
                #expect(invalid.count == 1)
                // Mid-stream: neither first nor last.
                let position = try #require(events.firstIndex { $0.data == invalid.first?.data })
                #expect(position > 0 && position < events.count - 1)
            }
            let plain = try await MockTestClient.send(mock, path: "/v1/chat/completions", body: MockTestBodies.openAI("mock:malformed"))
            #expect(plain.status == 200)
            #expect((try? JSONSerialization.jsonObject(with: Data(plain.body))) == nil)
            #expect(try await MockTestClient.stats(mock).faults.malformed == 3)
        }
    }

    @Test func streamErrorSendsAnErrorEventMidStream() async throws {
        try await MockUpstream.withRunning { mock in
            let anthropic = try await MockTestClient.send(
                mock,
                path: "/v1/messages",
                body: MockTestBodies.anthropic("mock:stream_error", stream: true)
            )
            #expect(anthropic.status == 200)
            #expect(anthropic.bodyError == nil)
            let events = MockTestClient.events(anthropic.text)
            #expect(events.first?.event == "message_start")
            let last = try #require(events.last)
            #expect(last.event == "error")
            #expect(try last.json().mockDict("error")?.mockString("type") == "overloaded_error")
            #expect(!events.contains { $0.event == "message_stop" })

            let openAI = try await MockTestClient.send(
                mock,
                path: "/v1/chat/completions",
                body: MockTestBodies.openAI("mock:stream_error", stream: true)
            )
            let openAIEvents = MockTestClient.events(openAI.text)
            #expect(try openAIEvents.last?.json().mockDict("error")?.mockString("type") == "server_error")
            #expect(!openAI.text.contains("[DONE]"))

            let stats = try await MockTestClient.stats(mock)
            #expect(stats.faults.streamError == 2)
            #expect(stats.completedReplies == 0)
        }
    }

    @Test func bufferedStreamsKeepTheBytesAndFaults() async throws {
        let body = MockTestBodies.anthropic("same stream either way", stream: true)
        let chunked = try await MockUpstream.withRunning { mock in
            try await MockTestClient.send(mock, path: "/v1/messages", body: body)
        }
        try await MockUpstream.withRunning(configuration: MockUpstreamConfiguration(bufferedStreams: true)) { mock in
            let buffered = try await MockTestClient.send(mock, path: "/v1/messages", body: body)
            #expect(buffered.body == chunked.body)
            #expect(buffered.headers["content-length"] == String(buffered.body.count))
            #expect(chunked.headers["content-length"] == nil)
            // Cuts still drop the connection.
            let cut = try await MockTestClient.send(mock, path: "/v1/messages", body: MockTestBodies.anthropic("mock:cut=2", stream: true))
            #expect(cut.bodyError != nil)
        }
    }

    @Test func latencyIsApplied() async throws {
        try await MockUpstream.withRunning { mock in
            let clock = ContinuousClock()
            let start = clock.now
            let reply = try await MockTestClient.send(mock, path: "/v1/messages", body: MockTestBodies.anthropic("slow mock:latency=300"))
            let elapsed = clock.now - start
            #expect(reply.status == 200)
            #expect(elapsed >= .milliseconds(300))

            // Only the request carrying the directive is delayed (an upper bound on the fast one would
            // be flaky on a loaded machine; the fault counter shows it was not delayed).
            _ = try await MockTestClient.send(mock, path: "/v1/messages", body: MockTestBodies.anthropic("fast"))
            _ = try await MockTestClient.send(
                mock,
                path: "/v1/chat/completions",
                body: MockTestBodies.openAI("header driven"),
                headers: ["x-mock-fault": "mock:latency=50"]
            )
            #expect(try await MockTestClient.stats(mock).faults.latency == 2)
        }
    }

    @Test func slowStreamSpacesEvents() async throws {
        try await MockUpstream.withRunning { mock in
            let clock = ContinuousClock()
            let start = clock.now
            let reply = try await MockTestClient.send(
                mock,
                path: "/v1/chat/completions",
                body: MockTestBodies.openAI("mock:slowstream=40", stream: true)
            )
            let elapsed = clock.now - start
            let events = MockTestClient.events(reply.text)
            #expect(events.last?.data == "[DONE]")
            #expect(elapsed >= .milliseconds(40 * (events.count - 1)))
            #expect(try await MockTestClient.stats(mock).faults.slowstream == 1)
        }
    }

    @Test func hangEndsWhenTheClientGivesUp() async throws {
        try await MockUpstream.withRunning { mock in
            let clock = ContinuousClock()
            let start = clock.now
            await #expect(throws: (any Error).self) {
                _ = try await MockTestClient.send(
                    mock,
                    path: "/v1/messages",
                    body: MockTestBodies.anthropic("mock:hang"),
                    timeout: .milliseconds(300)
                )
            }
            #expect(clock.now - start < .seconds(10))
            // The held request is released once the connection is gone.
            var stats = try await MockTestClient.stats(mock)
            let deadline = clock.now + .seconds(5)
            while stats.activeHangs > 0, clock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
                stats = try await MockTestClient.stats(mock)
            }
            #expect(stats.activeHangs == 0)
            #expect(stats.faults.hang == 1)
        }
    }

    @Test func hangIsBounded() async throws {
        try await MockUpstream.withRunning(configuration: MockUpstreamConfiguration(hangLimit: .milliseconds(200))) { mock in
            let reply = try await MockTestClient.send(mock, path: "/v1/chat/completions", body: MockTestBodies.openAI("mock:hang"))
            #expect(reply.status == 504)
            #expect(reply.headers["connection"] == "close")
            #expect(try reply.json().mockDict("error")?.mockString("message")?.contains("hang") == true)
            #expect(try await MockTestClient.stats(mock).activeHangs == 0)
        }
    }

    @Test func statsAddUpToReportedUsage() async throws {
        try await MockUpstream.withRunning { mock in
            var input = 0
            var output = 0
            var cacheRead = 0
            var cacheCreation = 0
            var tools = 0

            let anthropic = try await MockTestClient.send(
                mock,
                path: "/v1/messages",
                body: MockTestBodies.anthropic(String(repeating: "words and more words ", count: 20) + "mock:cache=10 mock:cache_create=5")
            ).json()
            let a = try #require(anthropic.mockDict("usage"))
            input += a.mockInt("input_tokens") ?? 0
            output += a.mockInt("output_tokens") ?? 0
            cacheRead += a.mockInt("cache_read_input_tokens") ?? 0
            cacheCreation += a.mockInt("cache_creation_input_tokens") ?? 0

            let openAI = try await MockTestClient.send(
                mock,
                path: "/v1/chat/completions",
                body: MockTestBodies.openAI(String(repeating: "other words ", count: 30) + "mock:cache=7")
            ).json()
            let o = try #require(openAI.mockDict("usage"))
            let cached = o.mockDict("prompt_tokens_details")?.mockInt("cached_tokens") ?? 0
            input += (o.mockInt("prompt_tokens") ?? 0) - cached
            output += o.mockInt("completion_tokens") ?? 0
            cacheRead += cached

            let streamed = try await MockTestClient.send(
                mock,
                path: "/v1/messages",
                body: MockTestBodies.anthropic("use a tool mock:tool", stream: true, extra: MockTestBodies.anthropicTools)
            )
            for event in MockTestClient.events(streamed.text) {
                let json = try event.json()
                if event.event == "message_start", let usage = json.mockDict("message")?.mockDict("usage") {
                    input += usage.mockInt("input_tokens") ?? 0
                    cacheRead += usage.mockInt("cache_read_input_tokens") ?? 0
                    cacheCreation += usage.mockInt("cache_creation_input_tokens") ?? 0
                }
                if event.event == "message_delta" {
                    output += json.mockDict("usage")?.mockInt("output_tokens") ?? 0
                }
                if event.event == "content_block_start" { tools += 1 }
            }

            let streamedOpenAI = try await MockTestClient.send(
                mock,
                path: "/v1/chat/completions",
                body: MockTestBodies.openAI("hello", stream: true, includeUsage: true)
            )
            let usageChunk = try MockTestClient.events(streamedOpenAI.text).dropLast().last?.json()
            let u = try #require(usageChunk?.mockDict("usage"))
            input += (u.mockInt("prompt_tokens") ?? 0) - (u.mockDict("prompt_tokens_details")?.mockInt("cached_tokens") ?? 0)
            output += u.mockInt("completion_tokens") ?? 0

            _ = try await MockTestClient.send(mock, path: "/v1/messages/count_tokens", body: MockTestBodies.anthropic("count"))

            let stats = try await MockTestClient.stats(mock)
            #expect(stats.requests == 5)
            #expect(stats.requestsByFormat == .init(openai: 2, anthropic: 2, countTokens: 1))
            #expect(stats.streamingRequests == 2)
            #expect(stats.completedReplies == 4)
            #expect(stats.inputTokens == input)
            #expect(stats.outputTokens == output)
            #expect(stats.cacheReadTokens == cacheRead)
            #expect(stats.cacheCreationTokens == cacheCreation)
            #expect(stats.cacheReadTokens == 17)
            #expect(stats.cacheCreationTokens == 5)
            #expect(stats.toolCalls == tools)
            #expect(tools == 1)
            #expect(stats.faults.total == 0)
            #expect(stats == mock.state.snapshot())

            let reset = try await MockTestClient.send(mock, path: "/mock/reset")
            #expect(reset.status == 200)
            #expect(try await MockTestClient.stats(mock) == MockStatsSnapshot())
            #expect(mock.state.recordedRequests().isEmpty)
        }
    }

    @Test func lastBodyIsReturnedExactly() async throws {
        try await MockUpstream.withRunning { mock in
            // Odd spacing, key order, escapes and non-ASCII text must come back byte for byte.
            let body = "{ \"messages\" : [ {\"content\":\"h\\u00e9llo \\\"w\\u00f6rld\\\" \u{1F600}\",  \"role\":\"user\"} ],\n\t\"model\":\"m\", \"max_tokens\" : 10.0 }"
            let reply = try await MockTestClient.send(
                mock,
                path: "/v1/messages?beta=true",
                body: body,
                headers: ["x-api-key": "sk-ant-test-key-000000abcd", "anthropic-version": "2023-06-01", "authorization": "short"]
            )
            #expect(reply.status == 200)
            let last = try await MockTestClient.send(mock, path: "/mock/requests/last/body", method: "GET")
            #expect(last.status == 200)
            #expect(last.body == Array(body.utf8))

            let list = try #require(try await MockTestClient.json(mock, get: "/mock/requests") as? [[String: Any]])
            #expect(list.count == 1)
            let entry = try #require(list.first)
            #expect(entry.mockString("path") == "/v1/messages?beta=true")
            #expect(entry.mockString("method") == "POST")
            #expect(entry.mockInt("body_length") == body.utf8.count)
            #expect(entry.mockString("body") == body)
            let headers = try #require(entry.mockDict("headers"))
            #expect(headers.mockString("x-api-key") == "<redacted:len=26,last4=abcd>")
            #expect(headers.mockString("authorization") == "<redacted:len=5>")
            #expect(headers.mockString("anthropic-version") == "2023-06-01")
            #expect(!String(decoding: try JSONSerialization.data(withJSONObject: list), as: UTF8.self).contains("sk-ant-test"))
        }
    }

    @Test func recorderKeepsTheLastN() async throws {
        try await MockUpstream.withRunning(configuration: MockUpstreamConfiguration(recordLimit: 3)) { mock in
            for i in 1...5 {
                _ = try await MockTestClient.send(mock, path: "/v1/messages", body: MockTestBodies.anthropic("message \(i)"))
            }
            let recorded = mock.state.recordedRequests()
            #expect(recorded.map(\.seq) == [3, 4, 5])
            #expect(recorded.last?.body.contains("message 5") == true)
        }
    }

    @Test func logsOneDebugLinePerRequest() async throws {
        let capture = MockTestLogCapture()
        var logger = Logger(label: "vdm.mock") { _ in capture.handler }
        logger.logLevel = .debug
        try await MockUpstream.withRunning(logger: logger) { mock in
            _ = try await MockTestClient.send(mock, path: "/v1/messages", body: MockTestBodies.anthropic("one"))
            _ = try await MockTestClient.send(mock, path: "/v1/chat/completions", body: MockTestBodies.openAI("two", stream: true))
            _ = try await MockTestClient.send(mock, path: "/v1/messages", body: MockTestBodies.anthropic("three mock:status=500"))
        }
        let lines = capture.lines.filter { $0.message == "mock request" }
        #expect(lines.count == 3)
        #expect(lines.allSatisfy { $0.level == .debug })
        #expect(lines.map { $0.metadata["mock.path"] } == ["/v1/messages", "/v1/chat/completions", "/v1/messages"])
        #expect(lines.map { $0.metadata["mock.status"] } == ["200", "200", "500"])
    }
}

/// Collects log lines (message, level, metadata rendered as strings).
final class MockTestLogCapture: Sendable {
    struct Line: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    private let stored = Mutex<[Line]>([])

    var lines: [Line] { stored.withLock { $0 } }

    func append(_ line: Line) {
        stored.withLock { $0.append(line) }
    }

    var handler: MockTestLogHandler { MockTestLogHandler(capture: self) }
}

struct MockTestLogHandler: LogHandler {
    let capture: MockTestLogCapture
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var rendered: [String: String] = [:]
        for (key, value) in event.metadata ?? [:] {
            rendered[key] = value.description
        }
        capture.append(.init(level: event.level, message: event.message.description, metadata: rendered))
    }
}
