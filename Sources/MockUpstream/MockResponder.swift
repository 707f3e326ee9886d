// The mock upstream's request handling: routing, recording, fault injection and replies.

import Foundation
import Hummingbird
import Logging

/// Thrown from a response body writer to make the server drop the connection mid-response.
struct MockConnectionCut: Error {}

struct MockResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let state: MockUpstreamState
    let configuration: MockUpstreamConfiguration
    let logger: Logger

    private enum Endpoint {
        case chatCompletions, messages, countTokens
    }

    static let jsonHeaders: HTTPFields = [.contentType: "application/json"]
    static let sseHeaders: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-cache"]
    static let faultHeaderName = "x-mock-fault"
    static let retryAfterName = MockFieldName("retry-after")
    static let requestIDName = MockFieldName("request-id")
    static let openAIRequestIDName = MockFieldName("x-request-id")
    static let traceparentName = "traceparent"
    static let tracestateName = "tracestate"

    /// Every value of header `name` joined with ",", nil when absent (what the ledger keeps).
    static func joined(_ headers: HTTPFields, _ name: String) -> String? {
        let values = headers.filter { $0.name.canonicalName == name }.map(\.value)
        return values.isEmpty ? nil : values.joined(separator: ",")
    }

    func respond(to request: Request, context: Context) async throws -> Response {
        var path = request.uri.path
        if path.count > 1, path.hasSuffix("/") { path.removeLast() }
        let isPost = request.method == .post
        let isGet = request.method == .get
        switch path {
        case "/v1/chat/completions", "/chat/completions":
            guard isPost else { return Self.methodNotAllowed(.openAI) }
            return try await handleAPI(request, path: path, endpoint: .chatCompletions)
        case "/v1/messages", "/messages":
            guard isPost else { return Self.methodNotAllowed(.anthropic) }
            return try await handleAPI(request, path: path, endpoint: .messages)
        case "/v1/messages/count_tokens", "/messages/count_tokens":
            guard isPost else { return Self.methodNotAllowed(.anthropic) }
            return try await handleAPI(request, path: path, endpoint: .countTokens)
        case "/mock/stats" where isGet:
            return Self.json(Self.encode(state.snapshot()))
        case "/mock/reset" where isPost:
            state.reset()
            return Self.json("{\"ok\":true}")
        case "/mock/requests" where isGet:
            return Self.json(Self.encode(state.recordedRequests()))
        case "/mock/ledger" where isGet:
            return Self.json(Self.encode(state.ledger.entries()))
        case "/mock/requests/last/body" where isGet:
            guard let body = state.lastBody() else {
                return Self.error(.anthropic, status: 404, message: "No request recorded yet")
            }
            return Response(status: .ok, headers: [.contentType: "application/octet-stream"], body: .init(byteBuffer: body))
        case "/health" where isGet, "/mock/health" where isGet:
            return Self.json("{\"status\":\"ok\"}")
        case "/v1/models" where isGet, "/models" where isGet:
            return Self.json(
                "{\"object\":\"list\",\"data\":[{\"id\":\"mock-model\",\"object\":\"model\",\"created\":"
                    + MockRenderer.created + ",\"owned_by\":\"vdm-mock\"}]}"
            )
        default:
            logger.debug("mock request", metadata: ["mock.path": .string(path), "mock.status": "404"])
            return Self.error(.anthropic, status: 404, message: "Mock upstream has no route for \(request.method) \(path)")
        }
    }

    // MARK: API endpoints

    private func handleAPI(_ request: Request, path: String, endpoint: Endpoint) async throws -> Response {
        let format: MockWireFormat = endpoint == .chatCompletions ? .openAI : .anthropic
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: configuration.maxBodySize)
        } catch {
            state.update { Self.countRequest(&$0, endpoint: endpoint, stream: false) }
            state.ledger.close(state.ledger.open(path: path, format: format.rawValue, model: "", stream: false), outcome: .unreadable, status: 413)
            return Self.error(format, status: 413, message: "Request body larger than \(configuration.maxBodySize) bytes")
        }
        state.record(method: request.method.rawValue, path: request.uri.description, headers: request.headers, body: body)

        var headerDirectives = MockDirectives()
        for field in request.headers where field.name.canonicalName == Self.faultHeaderName {
            headerDirectives.scan(field.value)
        }

        let wire: MockWireRequest
        do {
            wire = try MockWireRequest.decode(Data(body.readableBytesView))
        } catch {
            state.update { Self.countRequest(&$0, endpoint: endpoint, stream: false) }
            state.ledger.close(state.ledger.open(path: path, format: format.rawValue, model: "", stream: false), outcome: .unreadable, status: 400)
            logger.debug("mock request", metadata: ["mock.path": .string(path), "mock.status": "400"])
            return Self.error(format, status: 400, message: "Mock upstream could not read the request: expected a JSON object with a messages array")
        }

        let plan = MockReplyPlanner.plan(
            request: wire,
            format: format,
            bodyHash: body.withUnsafeReadableBytes { MockJSONText.fnv1aHex($0) },
            headerDirectives: headerDirectives
        )
        let directives = plan.directives
        let stream = endpoint != .countTokens && plan.stream
        state.update { Self.countRequest(&$0, endpoint: endpoint, stream: stream) }
        let entry = state.ledger.open(path: path, format: format.rawValue, model: plan.model, stream: stream,
                                      traceparent: Self.joined(request.headers, Self.traceparentName),
                                      tracestate: Self.joined(request.headers, Self.tracestateName))

        // Faults that apply before any reply.
        if let latency = directives.latencyMilliseconds, latency > 0 {
            state.countFault(.latency)
            try await Task.sleep(for: min(.milliseconds(latency), configuration.delayLimit))
        }
        if directives.hang {
            state.countFault(.hang)
            let held = await hang(request, format: format, path: path)
            state.ledger.close(entry, outcome: .hang, status: 504)
            return held
        }
        if let status = directives.status {
            state.countFault(.status)
            state.ledger.close(entry, outcome: .status, status: status)
            logger.debug(
                "mock request",
                metadata: [
                    "mock.path": .string(path),
                    "mock.format": .string(format.rawValue),
                    "mock.status": "\(status)",
                    "mock.faults": .string(directives.faultSummary),
                ]
            )
            return Self.error(
                format,
                status: status,
                message: "Mock upstream injected HTTP \(status)",
                retryAfter: status == 429 ? directives.retryAfterSeconds ?? 1 : directives.retryAfterSeconds,
                id: plan.idHash
            )
        }

        let response: Response
        if endpoint == .countTokens {
            response = Self.json("{\"input_tokens\":" + String(plan.inputTotal) + "}")
            state.ledger.close(entry, outcome: .completed, usage: .init(input: plan.inputTotal))  // the count it answered
        } else if stream {
            response = streamingResponse(plan, format: format, entry: entry)
        } else {
            response = plainResponse(plan, format: format, entry: entry)
        }
        logger.debug(
            "mock request",
            metadata: [
                "mock.path": .string(path),
                "mock.format": .string(format.rawValue),
                "mock.stream": .stringConvertible(stream),
                "mock.status": "200",
                "mock.input_tokens": .stringConvertible(plan.inputTotal),
                "mock.output_tokens": .stringConvertible(plan.outputTokens),
                "mock.tool_calls": .stringConvertible(plan.toolCalls.count),
                "mock.faults": .string(directives.faultSummary),
            ]
        )
        return response
    }

    private static func countRequest(_ stats: inout MockStatsSnapshot, endpoint: Endpoint, stream: Bool) {
        stats.requests += 1
        switch endpoint {
        case .chatCompletions: stats.requestsByFormat.openai += 1
        case .messages: stats.requestsByFormat.anthropic += 1
        case .countTokens: stats.requestsByFormat.countTokens += 1
        }
        if stream { stats.streamingRequests += 1 }
    }

    private func countUsage(_ plan: MockReplyPlan) {
        state.update { stats in
            stats.completedReplies += 1
            stats.inputTokens += plan.anthropicInputTokens
            stats.outputTokens += plan.outputTokens
            stats.cacheReadTokens += plan.cacheRead
            stats.cacheCreationTokens += plan.cacheCreation
            stats.toolCalls += plan.toolCalls.count
        }
    }

    private func replyHeaders(_ base: HTTPFields, format: MockWireFormat, id: String) -> HTTPFields {
        var headers = base
        if let name = format == .anthropic ? Self.requestIDName : Self.openAIRequestIDName {
            headers[name] = "req_mock_" + id
        }
        return headers
    }

    private func plainResponse(_ plan: MockReplyPlan, format: MockWireFormat, entry: Int) -> Response {
        let text = format == .anthropic ? MockRenderer.anthropicMessage(plan) : MockRenderer.openAICompletion(plan)
        let headers = replyHeaders(Self.jsonHeaders, format: format, id: plan.idHash)
        let directives = plan.directives
        if directives.cutAfterEvents != nil {
            // Announce the whole body, send half of it, then drop the connection.
            state.countFault(.cut)
            state.ledger.close(entry, outcome: .cut)
            let full = ByteBuffer(string: text)
            let partial = full.getSlice(at: full.readerIndex, length: full.readableBytes / 2) ?? ByteBuffer()
            return Response(
                status: .ok,
                headers: headers,
                body: ResponseBody(contentLength: full.readableBytes) { writer in
                    try await writer.write(partial)
                    throw MockConnectionCut()
                }
            )
        }
        if directives.malformed {
            state.countFault(.malformed)
            state.ledger.close(entry, outcome: .malformed)
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: String(text.prefix(text.count / 2)))))
        }
        countUsage(plan)
        state.ledger.close(entry, outcome: .completed, usage: MockLedger.usage(plan))
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    private func streamingResponse(_ plan: MockReplyPlan, format: MockWireFormat, entry: Int) -> Response {
        var events = format == .anthropic ? MockRenderer.anthropicEvents(plan) : MockRenderer.openAIEvents(plan)
        let directives = plan.directives
        if directives.malformed {
            state.countFault(.malformed)
            let bad = format == .anthropic ? MockRenderer.anthropicMalformedEvent : MockRenderer.openAIMalformedEvent
            events.insert(bad, at: max(1, events.count / 2))
        }
        if directives.streamError {
            // Half the stream, the error event, then a clean end without message_stop / [DONE].
            state.countFault(.streamError)
            events.removeLast(events.count - max(1, events.count / 2))
            events.append(format == .anthropic ? MockRenderer.anthropicErrorEvent : MockRenderer.openAIErrorEvent)
        }
        // The terminal event ([DONE] / message_stop / error) is never sent when cutting.
        var limit = events.count
        if let cut = directives.cutAfterEvents {
            state.countFault(.cut)
            limit = min(cut, events.count - 1)
        } else if !directives.streamError {
            countUsage(plan)
        }
        var delay: Duration?
        if let slow = directives.slowStreamMilliseconds, slow > 0 {
            state.countFault(.slowstream)
            delay = min(.milliseconds(slow), configuration.delayLimit)
        }
        let cut = limit < events.count
        // How the stream ends when the mock writes all of it (the ledger's outcome).
        let outcome: MockLedgerEntry.Outcome =
            cut ? .cut : directives.malformed ? .malformed : directives.streamError ? .streamError : .completed
        let headers = replyHeaders(Self.sseHeaders, format: format, id: plan.idHash)
        if configuration.bufferedStreams, delay == nil, !cut {
            var buffer = ByteBuffer()
            for event in events { buffer.writeString(event) }
            state.ledger.close(entry, outcome: outcome, usage: MockLedger.usage(plan, format: format, events: events, sent: events.count))
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: buffer))
        }
        let sendable = events
        let eventLimit = limit
        let eventDelay = delay
        let ledger = state.ledger
        return Response(
            status: .ok,
            headers: headers,
            body: ResponseBody { writer in
                var sent = 0
                do {
                    if let delay = eventDelay {
                        for index in 0..<eventLimit {
                            if index > 0 { try await Task.sleep(for: delay) }
                            try await writer.write(ByteBuffer(string: sendable[index]))
                            sent = index + 1
                        }
                    } else if eventLimit > 0 {
                        var buffer = ByteBuffer()
                        for index in 0..<eventLimit {
                            buffer.writeString(sendable[index])
                        }
                        try await writer.write(buffer)
                        sent = eventLimit
                    }
                } catch {
                    // The proxy closed the connection (or cancelled) while the mock was writing.
                    ledger.close(entry, outcome: .clientGone, usage: MockLedger.usage(plan, format: format, events: sendable, sent: sent))
                    throw error
                }
                ledger.close(entry, outcome: outcome, usage: MockLedger.usage(plan, format: format, events: sendable, sent: sent))
                if cut {
                    throw MockConnectionCut()
                }
                try await writer.finish(nil)
            }
        )
    }

    /// Holds the request until the client closes the connection or `hangLimit` passes (then 504).
    private func hang(_ request: Request, format: MockWireFormat, path: String) async -> Response {
        state.update { $0.activeHangs += 1 }
        defer { state.update { $0.activeHangs -= 1 } }
        logger.debug("mock request", metadata: ["mock.path": .string(path), "mock.format": .string(format.rawValue), "mock.fault": "hang"])
        let limit = configuration.hangLimit
        var response: Response
        do {
            try await request.body.consumeWithCancellationOnInboundClose { _ in
                try await Task.sleep(for: limit)
            }
            response = Self.error(format, status: 504, message: "Mock upstream hang ended after \(limit)")
        } catch {
            // The client went away (or the server is shutting down): nobody reads this reply.
            response = Self.error(format, status: 504, message: "Mock upstream hang ended: connection closed")
        }
        // Watching for the client closing consumed the connection's inbound side: the server closes
        // it after this reply, so tell the client not to reuse it.
        response.headers[.connection] = "close"
        return response
    }

    // MARK: Helpers

    static func json(_ text: String) -> Response {
        Response(status: .ok, headers: jsonHeaders, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func error(
        _ format: MockWireFormat,
        status: Int,
        message: String,
        retryAfter: Int? = nil,
        id: String? = nil
    ) -> Response {
        var headers = jsonHeaders
        if let retryAfter, let name = retryAfterName {
            headers[name] = String(retryAfter)
        }
        if let id, let name = format == .anthropic ? requestIDName : openAIRequestIDName {
            headers[name] = "req_mock_" + id
        }
        return Response(
            status: .init(code: status),
            headers: headers,
            body: .init(byteBuffer: ByteBuffer(string: MockRenderer.errorBody(format: format, status: status, message: message)))
        )
    }

    static func methodNotAllowed(_ format: MockWireFormat) -> Response {
        error(format, status: 405, message: "Method not allowed")
    }

    static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}

/// `HTTPField.Name`, reached through `HTTPFields` (HTTPTypes itself is not a direct dependency).
typealias MockFieldName = HTTPFields.Element.Name
