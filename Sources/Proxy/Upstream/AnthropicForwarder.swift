import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import LogPipeline
import NIOCore

/// Anthropic-format upstreams: the request body goes up byte for byte except the model name (unknown
/// fields, `cache_control`, `thinking` preserved), `anthropic-version` and `anthropic-beta` are
/// forwarded, and streams are relayed event for event while a tap reads the usage.
struct AnthropicForwarder: Sendable {
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
            let errorBody = try await UpstreamClient.collect(response, limit: MessagesHandler.maxUpstreamBody, provider: call.provider.name)
            call.life.update { $0.upstreamNanos = (ContinuousClock.now - started).nanoseconds }
            throw ProxyError.upstreamStatus(Int(response.status.code), provider: call.provider.name,
                                            upstreamMessage: call.upstreamMessage(errorBody), passthroughKey: call.provider.isPassthrough)
        }
        if call.stream {
            return relay(response, upstreamStarted: started)
        }
        let out = try await UpstreamClient.collect(response, limit: MessagesHandler.maxUpstreamBody, provider: call.provider.name)
        let upstreamNanos = (ContinuousClock.now - started).nanoseconds
        guard let parsed = try? JSONValue.parse(out) else {
            throw .badUpstreamResponse(provider: call.provider.name, "not JSON")
        }
        let (usage, toolUses) = AnthropicResponseUsage.read(parsed)
        call.life.update {
            $0.upstreamNanos = upstreamNanos
            $0.apply(usage)
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
            var parser = SSEParser()
            var tap = AnthropicStreamUsageTap()
            var failure: ProxyError?
            do {
                do {
                    for try await chunk in response.body {
                        for event in try parser.feed(chunk.readableBytesView) { tap.observe(event) }
                        // Bytes are relayed exactly as they came; the tap only reads copies.
                        try await relay.send(Array(chunk.readableBytesView), to: &writer, content: tap.firstContentSeen)
                        call.life.update { $0.apply(tap.usage); $0.toolCalls = tap.toolUses }
                        await relay.publishIfDue()
                    }
                    for event in try parser.finish() { tap.observe(event) }
                    if let type = tap.errorType {
                        failure = Self.streamError(type: type, message: tap.errorMessage ?? "", provider: call.provider.name)
                    } else if !tap.isComplete {
                        failure = .streamFailed("Upstream '\(call.provider.name)' stream ended before message_stop")
                        let event = OpenAIStreamConverter.errorEvent(type: "api_error", message: failure?.message ?? "")
                        try await relay.send(SSEEncoder.encode([event]), to: &writer, content: false)
                    }
                } catch let error as ClientGone {
                    throw error
                } catch {
                    let classified = error is SSEParserError ? ProxyError.streamFailed("Upstream '\(call.provider.name)' sent an oversized event") : UpstreamClient.classify(error, provider: call.provider.name, midStream: true)
                    failure = classified
                    let event = OpenAIStreamConverter.errorEvent(type: classified.anthropicType, message: call.redactor.redact(classified.message))
                    try await relay.send(SSEEncoder.encode([event]), to: &writer, content: false)
                }
                try await relay.finish(&writer)
            } catch {
                failure = failure ?? .clientDisconnected
            }
            call.life.update {
                $0.upstreamNanos = (ContinuousClock.now - upstreamStarted).nanoseconds
                $0.apply(tap.usage)
                $0.toolCalls = tap.toolUses
                $0.stopReason = tap.stopReason
                $0.responseBytes = relay.bytesSent
            }
            await call.life.finish(status: 200, error: failure)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// An `event: error` relayed from the upstream, in the metrics taxonomy.
    static func streamError(type: String, message: String, provider: String) -> ProxyError {
        switch type {
        case "overloaded_error": ProxyError(.upstreamOverloaded, status: 529, anthropicType: type, "Upstream '\(provider)' overloaded mid-stream: \(message)")
        case "rate_limit_error": ProxyError(.upstreamRateLimited, status: 429, anthropicType: type, "Upstream '\(provider)' rate limited mid-stream: \(message)")
        default: ProxyError(.streamError, status: 502, anthropicType: type, "Upstream '\(provider)' stream error (\(type)): \(message)")
        }
    }
}
