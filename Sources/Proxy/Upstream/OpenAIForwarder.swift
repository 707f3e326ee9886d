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
            let error = try await call.upstream.statusError(response, provider: call.provider, redactor: call.redactor)
            call.life.update { $0.upstreamNanos = (ContinuousClock.now - started).nanoseconds }
            throw error
        }
        if call.stream {
            return streamingResponse(response, upstreamStarted: started, stopSequences: stopSequences)
        }
        let body = try await call.upstream.collect(response, limit: MessagesHandler.maxUpstreamBody, provider: call.provider.name)
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
        call.life.apply(result.usage)
        if let why = result.usage.violation { throw .badUsage(provider: call.provider.name, why) }
        let out = call.redactor.redactingValues(result.body.serialized())
        call.life.update {
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
            var translator = OpenAIStreamTranslator(converter: OpenAIStreamConverter(
                messageID: ConversionIDs.random(prefix: "msg_"), clientModel: call.clientModel, stopSequences: stopSequences
            ))
            var failure: ProxyError?
            do {
                try await relay.send(translator.start(), to: &writer, content: false)
                do {
                    for try await chunk in response.body {
                        let out = translator.feed(chunk.readableBytesView)
                        // Tool calls are held until the end of the turn; their first fragment still counts.
                        if translator.converter.firstContentSeen { relay.markContentSeen() }
                        try await relay.send(out, to: &writer, content: false)
                        if translator.failureDetail != nil { break }
                        call.life.update { $0.outputTokens = max($0.outputTokens, translator.converter.outputTextChars / 4) }
                        await relay.publishIfDue()
                    }
                    try await relay.send(translator.finish(), to: &writer, content: false)
                    if let why = translator.converter.usage.violation {
                        failure = .badUsage(provider: call.provider.name, why)
                    } else if let detail = translator.failureDetail {
                        failure = .streamFailed("Upstream '\(call.provider.name)' \(detail)")
                    }
                } catch let error as ClientGone {
                    throw error
                } catch {
                    translator.fail("transport")
                    failure = call.upstream.classify(error, provider: call.provider.name, phase: .stream)
                }
                let converter = translator.converter
                call.life.apply(converter.usage)
                call.life.update {
                    $0.upstreamNanos = (ContinuousClock.now - upstreamStarted).nanoseconds
                    $0.toolCalls = converter.toolCalls
                    $0.stopReason = converter.stopReason
                }
                if let failure {
                    let event = OpenAIStreamConverter.errorEvent(type: failure.anthropicType, message: call.redactor.redact(failure.message))
                    try await relay.send(SSEEncoder.encode([event]), to: &writer, content: false)
                }
                try await relay.finish(&writer)
            } catch {
                // The client left mid-stream: the record keeps the usage the upstream reported so far,
                // not the live view's estimate (characters / 4), as every other failure does.
                call.life.apply(translator.converter.usage)
                failure = failure ?? .clientDisconnected
            }
            call.life.update { $0.responseBytes = relay.bytesSent }
            await call.life.finish(status: 200, error: failure)
        }
        return Response(status: .ok, headers: headers, body: body)
    }
}
