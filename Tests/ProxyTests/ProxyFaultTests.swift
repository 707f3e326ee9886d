import AsyncHTTPClient
import Foundation
import LogPipeline
import NIOCore
import Testing
import VDMProxy
import VDMDemo
import VDMBench

/// Every injected fault: the client's response, the error type recorded, no request left active,
/// exactly one completed record.
@Suite(.serialized) struct ProxyFaultTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var model = "openai:gpt-4o"
        var text: String
        var stream = false
        var rawBody: String?
        var status: Int
        var clientErrorType: String?
        var errorType: String
        /// REQUEST_TIMEOUT: short only where the timeout is the point (a 1 s deadline made other cases
        /// flaky on a loaded machine).
        var requestTimeout = "10"
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "429 openai", text: "x mock:status=429", status: 429, clientErrorType: "rate_limit_error", errorType: "upstream_rate_limited"),
        Case(name: "429 anthropic", model: "anthropic:claude-sonnet-4", text: "x mock:status=429", status: 429, clientErrorType: "rate_limit_error", errorType: "upstream_rate_limited"),
        Case(name: "500", text: "x mock:status=500", status: 500, clientErrorType: "api_error", errorType: "upstream_5xx"),
        Case(name: "503 streaming", text: "x mock:status=503", stream: true, status: 529, clientErrorType: "overloaded_error", errorType: "upstream_overloaded"),
        Case(name: "529 anthropic", model: "anthropic:claude-sonnet-4", text: "x mock:status=529", status: 529, clientErrorType: "overloaded_error", errorType: "upstream_overloaded"),
        Case(name: "401 from upstream (proxy's key)", text: "x mock:status=401", status: 502, clientErrorType: "api_error", errorType: "upstream_auth_error"),
        Case(name: "400 from upstream", text: "x mock:status=400", status: 400, clientErrorType: "invalid_request_error", errorType: "upstream_4xx"),
        Case(name: "cut mid-stream openai", text: "x mock:cut=3", stream: true, status: 200, clientErrorType: "api_error", errorType: "stream_error"),
        Case(name: "cut mid-stream anthropic", model: "anthropic:claude-sonnet-4", text: "x mock:cut=3", stream: true, status: 200, clientErrorType: "api_error", errorType: "stream_error"),
        Case(name: "malformed SSE line", text: "x mock:malformed", stream: true, status: 200, clientErrorType: "api_error", errorType: "stream_error"),
        Case(name: "malformed anthropic stream", model: "anthropic:claude-sonnet-4", text: "x mock:malformed", stream: true, status: 200, clientErrorType: "api_error", errorType: "stream_error"),
        Case(name: "anthropic error event mid-stream", model: "anthropic:claude-sonnet-4", text: "x mock:stream_error", stream: true, status: 200, clientErrorType: nil, errorType: "upstream_overloaded"),
        Case(name: "hang until timeout", text: "x mock:hang", status: 504, clientErrorType: "timeout_error", errorType: "upstream_timeout", requestTimeout: "1"),
        Case(name: "unknown provider", model: "nosuch:model", text: "x", status: 404, clientErrorType: "not_found_error", errorType: "unknown_provider"),
        Case(name: "invalid JSON", text: "", rawBody: #"{"model": "openai:gpt-4o", "#, status: 400, clientErrorType: "invalid_request_error", errorType: "invalid_request"),
        Case(name: "messages not a list", text: "", rawBody: #"{"model":"openai:gpt-4o","max_tokens":5,"messages":"hi"}"#, status: 400, clientErrorType: "invalid_request_error", errorType: "invalid_request"),
        Case(name: "bad block shape", text: "", rawBody: #"{"model":"openai:gpt-4o","max_tokens":5,"messages":[{"role":"user","content":[{"text":"no type"}]}]}"#, status: 400, clientErrorType: "invalid_request_error", errorType: "invalid_request"),
        // A body cut mid-way after a 200 head is the upstream's fault, in both formats.
        Case(name: "cut non-streaming body openai", text: "x mock:cut=3", status: 502, clientErrorType: "api_error", errorType: "upstream_bad_response"),
        Case(name: "cut non-streaming body anthropic", model: "anthropic:claude-sonnet-4", text: "x mock:cut=3", status: 502, clientErrorType: "api_error", errorType: "upstream_bad_response"),
        // The types and ranges of the fields vdm reads (AnthropicRequestCheck), whatever the provider.
        Case(name: "stream not a boolean", text: "", rawBody: #"{"model":"openai:gpt-4o","max_tokens":5,"stream":"yes","messages":[{"role":"user","content":"hi"}]}"#, status: 400, clientErrorType: "invalid_request_error", errorType: "invalid_request"),
        Case(name: "stream not a boolean anthropic", text: "", rawBody: #"{"model":"anthropic:claude-sonnet-4","max_tokens":5,"stream":1,"messages":[{"role":"user","content":"hi"}]}"#, status: 400, clientErrorType: "invalid_request_error", errorType: "invalid_request"),
        Case(name: "max_tokens negative", text: "", rawBody: #"{"model":"openai:gpt-4o","max_tokens":-1,"messages":[{"role":"user","content":"hi"}]}"#, status: 400, clientErrorType: "invalid_request_error", errorType: "invalid_request"),
        Case(name: "max_tokens zero anthropic", text: "", rawBody: #"{"model":"anthropic:claude-sonnet-4","max_tokens":0,"messages":[{"role":"user","content":"hi"}]}"#, status: 400, clientErrorType: "invalid_request_error", errorType: "invalid_request"),
        Case(name: "max_tokens above 2^32", text: "", rawBody: #"{"model":"openai:gpt-4o","max_tokens":4294967297,"messages":[{"role":"user","content":"hi"}]}"#, status: 400, clientErrorType: "invalid_request_error", errorType: "invalid_request"),
        Case(name: "max_tokens a string", text: "", rawBody: #"{"model":"openai:gpt-4o","max_tokens":"5","messages":[{"role":"user","content":"hi"}]}"#, status: 400, clientErrorType: "invalid_request_error", errorType: "invalid_request"),
        Case(name: "messages missing anthropic", text: "", rawBody: #"{"model":"anthropic:claude-sonnet-4","max_tokens":5}"#, status: 400, clientErrorType: "invalid_request_error", errorType: "invalid_request"),
        Case(name: "model longer than RecordBounds.maxModelBytes", text: "", rawBody: #"{"model":"openai:\#(String(repeating: "m", count: 250))","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}"#, status: 400, clientErrorType: "invalid_request_error", errorType: "invalid_request"),
    ]

    @Test(arguments: cases)
    func fault(_ c: Case) async throws {
        try await E2E.run(env: ["REQUEST_TIMEOUT": c.requestTimeout]) { e2e in
            let body = c.rawBody.map { Array($0.utf8) } ?? anthropicBody(model: c.model, text: c.text, stream: c.stream)
            let reply = try await e2e.post(body: body)
            #expect(reply.status == c.status, "\(c.name): \(reply.text)")
            if c.status == 200 {
                let events = try reply.events()
                let error = events.last { $0.0 == "error" }
                #expect(error != nil, "\(c.name): stream must end with an error event")
                if let type = c.clientErrorType { #expect(error?.1["error"]?["type"]?.string == type, "\(c.name)") }
                #expect(!events.contains { $0.0 == "message_stop" }, "\(c.name)")
            } else {
                let json = try reply.json()
                #expect(json["type"]?.string == "error", "\(c.name)")
                #expect(json["error"]?["type"]?.string == c.clientErrorType, "\(c.name): \(reply.text)")
                #expect(json["request_id"]?.string == reply.headers.first(name: "x-request-id"), "\(c.name)")
            }
            let done = try await e2e.completed(count: 1)
            #expect(done.count == 1, "\(c.name): exactly one completed record")
            #expect(done.first?.errorType == c.errorType, "\(c.name)")
            #expect(await e2e.proxy.tracker.activeCount == 0, "\(c.name): nothing left active")
            let started = e2e.memory.all.filter { $0.payload?.action == "request.started" }.count
            #expect(started == 1, "\(c.name)")
        }
    }

    @Test func upstreamConnectErrorAndTooLargeBodies() async throws {
        // A port nobody listens on: bind then close.
        let closedPort = try await ServerPorts.free()
        try await E2E.run(env: ["OPENAI_BASE_URL": "http://127.0.0.1:\(closedPort)/v1", "VDM_MAX_REQUEST_BYTES": "2000"]) { e2e in
            let refused = try await e2e.post(body: anthropicBody())
            #expect(refused.status == 502)
            let big = try await e2e.post(body: anthropicBody(model: "anthropic:claude-sonnet-4", text: String(repeating: "a", count: 5000)))
            #expect(big.status == 413)
            #expect(try big.json()["error"]?["type"]?.string == "request_too_large")
            let done = try await e2e.completed(count: 2)
            #expect(Set(done.compactMap(\.errorType)) == ["upstream_connect_error", "request_too_large"])
            #expect(await e2e.proxy.tracker.activeCount == 0)
        }
    }

    @Test func clientDisconnectMidStreamEndsTheRequest() async throws {
        try await E2E.run { e2e in
            var request = HTTPClientRequest(url: e2e.proxy.baseURL + "/v1/messages")
            request.method = .POST
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: anthropicBody(text: "long one mock:slowstream=200", stream: true)))
            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            let response = try await client.execute(request, timeout: .seconds(10))
            var iterator = response.body.makeAsyncIterator()
            _ = try await iterator.next()
            try await client.shutdown()  // the client goes away mid-stream
            let done = try await e2e.completed(count: 1, timeout: .seconds(15))
            #expect(done.first?.errorType == "client_disconnected")
            #expect(await e2e.proxy.tracker.activeCount == 0)
        }
    }

    /// 200 concurrent mixed requests: tracker totals equal what the mock reported, and the completed
    /// records in the JSON log sum to the same.
    @Test func twoHundredConcurrentMixedRequestsAddUp() async throws {
        try await E2E.run { e2e in
            let requests = DemoWorkload.requests(count: 200)
            let (_, unexpected) = try await DemoTraffic.send(requests, to: e2e.proxy.baseURL, concurrency: 200)
            #expect(unexpected.isEmpty, "\(unexpected)")
            let done = try await e2e.completed(count: 200, timeout: .seconds(30))
            #expect(done.count == 200)
            #expect(await e2e.proxy.tracker.activeCount == 0)
            let stats = e2e.mock.state.snapshot()
            let totals = await e2e.proxy.tracker.runningTotals(includeActive: false).summary
            #expect(totals.requests == 200)
            // Cut streams report partial usage the mock does not count as a completed reply.
            let complete = done.filter { $0.errorType == nil }
            #expect(complete.map(\.inputTokens).reduce(0, +) == stats.inputTokens)
            #expect(complete.map(\.outputTokens).reduce(0, +) == stats.outputTokens)
            #expect(complete.map(\.cacheReadTokens).reduce(0, +) == stats.cacheReadTokens)
            #expect(done.map(\.toolCalls).reduce(0, +) == stats.toolCalls)
            // The JSON log file holds the same numbers.
            e2e.proxy.server.logs.flush()
            let lines = try String(contentsOfFile: e2e.jsonPath, encoding: .utf8).split(separator: "\n")
            var input = 0, output = 0, completedLines = 0
            for line in lines where line.contains(#""event.action":"request.completed""#) {
                let json = try JSONValue.parse(Array(line.utf8))
                input += json[FieldName.inputTokens.name]?.int ?? 0
                output += json[FieldName.outputTokens.name]?.int ?? 0
                completedLines += 1
            }
            #expect(completedLines == 200)
            #expect(input == totals.inputTokens)
            #expect(output == totals.outputTokens)
        }
    }
}
