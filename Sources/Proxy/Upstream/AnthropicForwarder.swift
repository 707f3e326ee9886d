import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
package import LogPipeline
import NIOCore

/// Anthropic-format upstreams: the request body goes up byte for byte except the model name (unknown
/// fields, `cache_control`, `thinking` preserved), `anthropic-version` and `anthropic-beta` are
/// forwarded, and streams are relayed event for event while a tap reads the usage.
package struct AnthropicForwarder: Sendable {
    let call: UpstreamCall

    static let defaultVersion = "2023-06-01"

    func headers(from client: HTTPFields) -> [(String, String)] {
        var out: [(String, String)] = [("content-type", "application/json"), ("x-api-key", call.key)]
        out.append(("anthropic-version", client[HTTPField.Name("anthropic-version")!] ?? Self.defaultVersion))
        if let beta = client[HTTPField.Name("anthropic-beta")!] { out.append(("anthropic-beta", beta)) }
        out.append(("accept", call.stream ? "text/event-stream" : "application/json"))
        return out
    }

    func forward(_ body: [UInt8], clientHeaders: HTTPFields) async throws(ProxyError) -> Response {
        let upstreamBody: [UInt8]
        do {
            upstreamBody = try JSONTopLevel.replacingModel(in: body, with: call.upstreamModel)
        } catch {
            throw .invalidRequest("request body: \(error)")
        }
        let started = ContinuousClock.now
        let response = try await call.upstream.post(url: call.provider.baseURL + "/v1/messages", headers: headers(from: clientHeaders),
                                                    body: upstreamBody, deadline: call.settings.requestTimeout, provider: call.provider.name)
        guard response.status == .ok else {
            let error = try await call.upstream.statusError(response, provider: call.provider, redactor: call.redactor)
            call.life.update { $0.upstreamNanos = (ContinuousClock.now - started).nanoseconds }
            throw error
        }
        if call.stream {
            return relay(response, upstreamStarted: started)
        }
        let out = try await call.upstream.collect(response, limit: MessagesHandler.maxUpstreamBody, provider: call.provider.name)
        let upstreamNanos = (ContinuousClock.now - started).nanoseconds
        guard let parsed = try? JSONValue.parse(out) else {
            call.life.update { $0.upstreamNanos = upstreamNanos }
            throw .badUpstreamResponse(provider: call.provider.name, "not JSON")
        }
        if let problem = Self.bodyProblem(parsed, raw: out, provider: call.provider.name, redactor: call.redactor) {
            call.life.update { $0.upstreamNanos = upstreamNanos }
            throw problem
        }
        let (usage, toolUses) = AnthropicResponseUsage.read(parsed)
        call.life.apply(usage)
        if let why = usage.violation {
            call.life.update { $0.upstreamNanos = upstreamNanos }
            throw .badUsage(provider: call.provider.name, why)
        }
        call.life.update {
            $0.upstreamNanos = upstreamNanos
            $0.toolCalls = toolUses
            $0.stopReason = parsed["stop_reason"]?.string
            $0.responseBytes = out.count
        }
        var headers = call.timingHeaders(upstreamNanos: upstreamNanos)
        headers[.contentType] = response.headers.first(name: "content-type") ?? "application/json"
        await call.life.finish(status: 200)
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: call.redactor.redactingValues(out))))
    }

    private func relay(_ response: HTTPClientResponse, upstreamStarted: ContinuousClock.Instant) -> Response {
        let call = self.call
        var headers = call.timingHeaders(upstreamNanos: (ContinuousClock.now - upstreamStarted).nanoseconds)
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        let body = ResponseBody.correlated { writer in
            var relay = StreamRelay(call: call, upstreamStarted: upstreamStarted)
            var inspector = AnthropicStreamInspector()
            var failure: ProxyError?
            do {
                do {
                    for try await chunk in response.body {
                        let passed = inspector.feed(chunk.readableBytesView)
                        // Bytes are relayed exactly as they came, up to the end of the last event that passed.
                        try await relay.send(passed, to: &writer, content: inspector.tap.firstContentSeen)
                        call.life.apply(inspector.tap.usage)
                        call.life.update { $0.toolCalls = inspector.tap.toolUses }
                        if let problem = inspector.failure { throw problem }
                        await relay.publishIfDue()
                    }
                    try await relay.send(inspector.finish(), to: &writer, content: inspector.tap.firstContentSeen)
                    if let problem = inspector.failure { throw problem }
                    let tap = inspector.tap
                    if let type = tap.errorType {
                        failure = Self.streamError(type: type, message: tap.errorMessage ?? "", provider: call.provider.name)
                    } else if let why = tap.usage.violation {
                        // The events went out as they came; the client is told they do not add up.
                        let refused = ProxyError.badUsage(provider: call.provider.name, why)
                        failure = refused
                        let event = OpenAIStreamConverter.errorEvent(type: refused.anthropicType, message: call.redactor.redact(refused.message))
                        try await relay.send(SSEEncoder.encode([event]), to: &writer, content: false)
                    } else if !tap.isComplete {
                        failure = .streamFailed("Upstream '\(call.provider.name)' stream ended before message_stop")
                        let event = OpenAIStreamConverter.errorEvent(type: "api_error", message: failure?.message ?? "")
                        try await relay.send(SSEEncoder.encode([event]), to: &writer, content: false)
                    }
                } catch let error as ClientGone {
                    throw error
                } catch {
                    let classified: ProxyError = switch error {
                    case is SSEParserError: .streamFailed("Upstream '\(call.provider.name)' sent an oversized event")
                    case let error as ConversionError: .streamFailed("Upstream '\(call.provider.name)' sent a bad stream: \(error.message)")
                    default: call.upstream.classify(error, provider: call.provider.name, phase: .stream)
                    }
                    failure = classified
                    let event = OpenAIStreamConverter.errorEvent(type: classified.anthropicType, message: call.redactor.redact(classified.message))
                    try await relay.send(SSEEncoder.encode([event]), to: &writer, content: false)
                }
                try await relay.finish(&writer)
            } catch {
                failure = failure ?? .clientDisconnected
            }
            let tap = inspector.tap
            call.life.update {
                $0.upstreamNanos = (ContinuousClock.now - upstreamStarted).nanoseconds
                $0.toolCalls = tap.toolUses
                $0.stopReason = tap.stopReason
                $0.responseBytes = relay.bytesSent
            }
            call.life.apply(tap.usage)
            await call.life.finish(status: 200, error: failure)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// Why a 200 non-streaming body is not a usable reply: an error object (`{"type":"error","error":{…}}`,
    /// classified by its type as the same error with a non-200 status would be), or not a message (no
    /// `"type":"message"`, `content` not a list). Usage is judged by `TokenUsage` (`upstream_bad_usage`).
    package static func bodyProblem(_ body: JSONValue, raw: [UInt8], provider: String, redactor: Redactor) -> ProxyError? {
        guard case .object = body else { return .badUpstreamResponse(provider: provider, "not a JSON object") }
        if body["type"]?.string == "error" || (body["error"].map { !$0.isNull } ?? false) {
            let error = body["error"]
            let type = error?["type"]?.string ?? "api_error"
            let message = UpstreamCall.upstreamMessage(raw, redactor: redactor)
            switch type {
            case "overloaded_error":
                return ProxyError(.upstreamOverloaded, status: 529, anthropicType: type, "Upstream '\(provider)' returned an error with status 200 (\(type)): \(message)")
            case "rate_limit_error":
                return ProxyError(.upstreamRateLimited, status: 429, anthropicType: type, "Upstream '\(provider)' returned an error with status 200 (\(type)): \(message)")
            default:
                return ProxyError(.upstream5xx, status: 500, anthropicType: "api_error", "Upstream '\(provider)' returned an error with status 200 (\(RecordBounds.clip(type, toBytes: 64))): \(message)")
            }
        }
        guard body["type"]?.string == "message" else { return .badUpstreamResponse(provider: provider, "not a message (no \"type\":\"message\")") }
        guard case .array? = body["content"] else { return .badUpstreamResponse(provider: provider, "message content is not a list") }
        return nil
    }

    /// An `event: error` relayed from the upstream, in the metrics taxonomy.
    package static func streamError(type: String, message: String, provider: String) -> ProxyError {
        switch type {
        case "overloaded_error": ProxyError(.upstreamOverloaded, status: 529, anthropicType: type, "Upstream '\(provider)' overloaded mid-stream: \(message)")
        case "rate_limit_error": ProxyError(.upstreamRateLimited, status: 429, anthropicType: type, "Upstream '\(provider)' rate limited mid-stream: \(message)")
        default: ProxyError(.streamError, status: 502, anthropicType: type, "Upstream '\(provider)' stream error (\(type)): \(message)")
        }
    }
}
