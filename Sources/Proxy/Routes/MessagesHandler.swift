import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import LogPipeline
import NIOCore
import NIOHTTP1

/// `POST /v1/messages`: resolves the provider, converts (OpenAI) or passes through (Anthropic),
/// streams or not, and ends the request in the tracker exactly once whatever happens.
struct MessagesHandler: Sendable {
    let registry: ProviderRegistry
    let settings: ServerSettings
    let tracker: RequestTracker
    let upstream: UpstreamClient
    let logger: Logger
    let redactor: Redactor

    /// Largest upstream body read whole (non-streaming responses, error bodies).
    static let maxUpstreamBody = 64 << 20

    func handle(_ request: Request) async -> Response {
        let correlation = CorrelationContext.current
        let life = RequestLifecycle(tracker: tracker, requestID: correlation?.id ?? RequestIDs.next(), clientRequestID: correlation?.clientID,
                                    redactor: redactor)
        do {
            return try await route(request, life: life)
        } catch {
            await life.finish(status: error.status, error: error)
            return AnthropicErrorResponse.make(error, redactor: redactor)
        }
    }

    private func route(_ request: Request, life: RequestLifecycle) async throws(ProxyError) -> Response {
        let body = try await RequestBodyReader.collect(request, limit: settings.maxRequestBytes)
        life.update { $0.requestBytes = body.count }
        let json: JSONValue
        do {
            json = try JSONValue.parse(body)
        } catch {
            throw .invalidRequest(ConversionError.invalidJSON(error).message)
        }
        guard case .object = json else { throw .invalidRequest("request body must be a JSON object") }
        let stats = AnthropicRequestStats(json)
        // Only values within RecordBounds are kept, even on the way to a 400 (a client-sized model
        // name would otherwise live on in the record, the live views and the aggregate).
        life.update {
            $0.requestedModel = stats.requestedModel.flatMap { $0.utf8.count <= RecordBounds.maxModelBytes ? $0 : nil } ?? ""
            $0.isStreaming = stats.stream
            $0.messageCount = stats.messageCount
            $0.toolUses = stats.toolUseCount
            $0.toolResults = stats.toolResultCount
        }
        life.setRequestShape(toolsDefined: stats.toolsDefined,
                             maxTokens: stats.maxTokens.flatMap { RecordBounds.count.contains(Int64($0)) ? $0 : nil } ?? 0)
        let model = try AnthropicRequestCheck.validate(json)

        let provider: ProviderConfig
        let upstreamModel: String
        switch registry.resolve(model) {
        case .unknownProvider(let name):
            throw .unknownProvider(name, model: model)
        case .resolved(let p, let m, let via):
            provider = p
            upstreamModel = m
            logger.debug("MODEL | Requested: \(model) | Resolved: \(p.name):\(m) | \(ModelResolutionLine.how(model, via: via))")
        }
        life.update {
            $0.provider = provider.name
            $0.resolvedModel = upstreamModel
        }
        let key: String
        switch provider.credential {
        case .key(let k): key = k
        case .passthrough:
            guard let clientKey = ClientKey.from(request, proxyKey: settings.proxyAPIKey.map(KeyDigest.init)) else {
                throw ClientKey.missing(provider: provider.name, proxyKeySet: settings.proxyAPIKey != nil)
            }
            key = clientKey
        }
        await life.begin()
        let call = UpstreamCall(provider: provider, upstreamModel: upstreamModel, clientModel: model, key: key,
                                stream: stats.stream, life: life, settings: settings, upstream: upstream, logger: logger,
                                redactor: redactor.adding(key))
        switch provider.format {
        case .openai:
            return try await OpenAIForwarder(call: call).forward(json, stopSequences: Self.stopSequences(json))
        case .anthropic:
            return try await AnthropicForwarder(call: call).forward(body, clientHeaders: request.headers)
        }
    }

    static func stopSequences(_ json: JSONValue) -> [String] {
        json["stop_sequences"]?.array?.compactMap(\.string) ?? []
    }
}

/// What both forwarders need for one upstream call.
struct UpstreamCall: Sendable {
    let provider: ProviderConfig
    let upstreamModel: String
    let clientModel: String
    let key: String
    let stream: Bool
    let life: RequestLifecycle
    let settings: ServerSettings
    let upstream: UpstreamClient
    let logger: Logger
    /// The proxy's redactor plus this call's key (a passthrough client's own key is not configured).
    let redactor: Redactor

    /// Headers that report the proxy's own cost: total time so far minus time spent upstream.
    func timingHeaders(upstreamNanos: Int64) -> HTTPFields {
        let total = (ContinuousClock.now - life.receivedAt).nanoseconds
        var headers = HTTPFields()
        headers[Self.upstreamMillis] = YAMLText.millis3(upstreamNanos)
        headers[Self.overheadMillis] = YAMLText.millis3(max(0, total - upstreamNanos))
        return headers
    }

    // Made once: a name checks its characters when made, and these go on every reply.
    private static let upstreamMillis = HTTPField.Name("x-vdm-upstream-ms")!
    private static let overheadMillis = HTTPField.Name("x-vdm-overhead-ms")!

    /// The upstream's error message from an OpenAI or Anthropic error body: redacted whole, then
    /// clipped (clipping first would let a key cut at the limit escape, and hash as another key).
    func upstreamMessage(_ body: [UInt8]) -> String {
        Self.upstreamMessage(body, redactor: redactor)
    }

    static func upstreamMessage(_ body: [UInt8], redactor: Redactor) -> String {
        let text: String
        if let json = try? JSONValue.parse(body), let message = json["error"]?["message"]?.string ?? json["error"]?.string ?? json["message"]?.string {
            text = message
        } else {
            // A key cut at this limit is cut far beyond the clip below: its kept part is all marker.
            text = String(decoding: body.prefix(64 << 10), as: UTF8.self)
        }
        return redactor.kept(text, maxBytes: Self.maxUpstreamMessageBytes)
    }

    /// The upstream's part of an error message: half the record's bound, leaving room for ours.
    static let maxUpstreamMessageBytes = RecordBounds.maxErrorMessageBytes / 2
}

/// Reads the request body up to a limit without buffering more than the limit.
enum RequestBodyReader {
    static func collect(_ request: Request, limit: Int) async throws(ProxyError) -> [UInt8] {
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            throw .tooLarge(limit: limit)
        }
        do {
            var buffer = try await request.body.collect(upTo: limit)
            return buffer.readBytes(length: buffer.readableBytes) ?? []
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw .tooLarge(limit: limit)
        } catch is NIOTooManyBytesError {
            throw .tooLarge(limit: limit)
        } catch let error as HTTPParserError {
            throw .malformedRequestBody(String(describing: error))
        } catch {
            throw .clientDisconnected
        }
    }
}
