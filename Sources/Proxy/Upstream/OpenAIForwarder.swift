import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import LogPipeline
import NIOCore

/// Anthropic Messages → OpenAI Chat Completions and back, streaming or not.
struct OpenAIForwarder: Sendable {
    let call: UpstreamCall

    private var url: String { call.provider.baseURL + "/chat/completions" }

    private var headers: [(String, String)] {
        [("content-type", "application/json"), ("authorization", "Bearer " + call.key),
         ("accept", call.stream ? "text/event-stream" : "application/json")]
    }

    func forward(_ anthropic: JSONValue, stopSequences: [String]) async throws(ProxyError) -> Response {
        let converted: JSONValue
        do {
            converted = try AnthropicToOpenAIRequest.convert(anthropic, upstreamModel: call.upstreamModel, stream: call.stream)
        } catch {
            throw error.kind == .invalidRequest ? .invalidRequest(error.message) : .conversion(error.message)
        }
        let started = ContinuousClock.now
        let response = try await call.upstream.post(url: url, headers: headers, body: converted.serialized(),
                                                    deadline: call.settings.requestTimeout, provider: call.provider.name)
        guard response.status == .ok else {
            let body = try await UpstreamClient.collect(response, limit: MessagesHandler.maxUpstreamBody, provider: call.provider.name)
            call.life.update { $0.upstreamNanos = (ContinuousClock.now - started).nanoseconds }
            throw ProxyError.upstreamStatus(Int(response.status.code), provider: call.provider.name,
                                            upstreamMessage: call.upstreamMessage(body), passthroughKey: call.provider.isPassthrough)
        }
        if call.stream {
            return streamingResponse(response, upstreamStarted: started, stopSequences: stopSequences)
        }
        let body = try await UpstreamClient.collect(response, limit: MessagesHandler.maxUpstreamBody, provider: call.provider.name)
        let upstreamNanos = (ContinuousClock.now - started).nanoseconds
        call.life.update { $0.upstreamNanos = upstreamNanos }
        let parsed: JSONValue
        do {
            parsed = try JSONValue.parse(body)
        } catch {
            throw .badUpstreamResponse(provider: call.provider.name, "not JSON (\(error))")
        }
        let result: (body: JSONValue, usage: TokenUsage, toolCalls: Int, stopReason: String)
        do {
            result = try OpenAIToAnthropicResponse.convert(parsed, clientModel: call.clientModel, stopSequences: stopSequences)
        } catch {
            if error.kind == .upstreamError {
                throw ProxyError(.upstream5xx, status: 500, anthropicType: "api_error", "Upstream '\(call.provider.name)' returned an error: \(error.message)")
            }
            throw .badUpstreamResponse(provider: call.provider.name, error.message)
        }
        let out = call.redactor.redactingValues(result.body.serialized())
        call.life.update {
            $0.apply(result.usage)
            $0.toolCalls = result.toolCalls
            $0.stopReason = result.stopReason
            $0.responseBytes = out.count
        }
        var headers = call.timingHeaders(upstreamNanos: upstreamNanos)
        headers[.contentType] = "application/json"
        await call.life.finish(status: 200)
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: out)))
    }

    private func streamingResponse(_ response: HTTPClientResponse, upstreamStarted: ContinuousClock.Instant, stopSequences: [String]) -> Response {
        let call = self.call
        var headers = call.timingHeaders(upstreamNanos: (ContinuousClock.now - upstreamStarted).nanoseconds)
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        let body = ResponseBody.correlated { writer in
            var relay = StreamRelay(call: call, upstreamStarted: upstreamStarted)
            var converter = OpenAIStreamConverter(messageID: ConversionIDs.random(prefix: "msg_"), clientModel: call.clientModel, stopSequences: stopSequences)
            var parser = SSEParser()
            var failure: ProxyError?
            do {
                try await relay.send(SSEEncoder.encode(converter.start()), to: &writer, content: false)
                do {
                    for try await chunk in response.body {
                        var out: [AnthropicStreamEvent] = []
                        for event in try parser.feed(chunk.readableBytesView) {
                            out += try converter.consume(data: event.data)
                        }
                        if !out.isEmpty {
                            try await relay.send(SSEEncoder.encode(out), to: &writer, content: converter.firstContentSeen)
                            call.life.update { $0.outputTokens = max($0.outputTokens, converter.outputTextChars / 4) }
                            await relay.publishIfDue()
                        }
                    }
                    for event in try parser.finish() {
                        let out = try converter.consume(data: event.data)
                        if !out.isEmpty { try await relay.send(SSEEncoder.encode(out), to: &writer, content: converter.firstContentSeen) }
                    }
                    if !converter.isComplete {
                        failure = .streamFailed("Upstream '\(call.provider.name)' stream ended before finish_reason")
                    }
                } catch let error as ClientGone {
                    throw error
                } catch let error as ConversionError {
                    failure = .streamFailed("Upstream '\(call.provider.name)' sent a bad stream: \(error.message)")
                } catch let error as SSEParserError {
                    failure = .streamFailed("Upstream '\(call.provider.name)' sent a bad stream: \(error)")
                } catch {
                    failure = UpstreamClient.classify(error, provider: call.provider.name, midStream: true)
                }
                call.life.update {
                    $0.upstreamNanos = (ContinuousClock.now - upstreamStarted).nanoseconds
                    $0.apply(converter.usage)
                    $0.toolCalls = converter.toolCalls
                    $0.stopReason = converter.stopReason
                }
                if let failure {
                    let event = OpenAIStreamConverter.errorEvent(type: failure.anthropicType, message: call.redactor.redact(failure.message))
                    try await relay.send(SSEEncoder.encode([event]), to: &writer, content: false)
                } else {
                    try await relay.send(SSEEncoder.encode(converter.finish()), to: &writer, content: false)
                    call.life.update {
                        $0.apply(converter.usage)
                        $0.stopReason = converter.stopReason
                        $0.toolCalls = converter.toolCalls
                    }
                }
                try await relay.finish(&writer)
            } catch {
                failure = failure ?? .clientDisconnected
            }
            call.life.update { $0.responseBytes = relay.bytesSent }
            await call.life.finish(status: 200, error: failure)
        }
        return Response(status: .ok, headers: headers, body: body)
    }
}

extension RequestMetrics {
    mutating func apply(_ usage: TokenUsage) {
        inputTokens = usage.inputTokens
        outputTokens = usage.outputTokens
        cacheReadTokens = usage.cacheReadTokens
        cacheCreationTokens = usage.cacheCreationTokens
    }
}
