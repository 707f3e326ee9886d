import Foundation
import HTTPTypes
import Hummingbird
import Logging
import LogPipeline
import NIOCore

/// `POST /v1/messages/count_tokens`: forwarded to Anthropic-format providers; for OpenAI-format ones
/// the documented estimate (`TokenEstimator`: characters / 4). Never runs a completion.
struct CountTokensHandler: Sendable {
    let registry: ProviderRegistry
    let settings: ServerSettings
    let upstream: UpstreamClient
    let logger: Logger
    let redactor: Redactor

    func handle(_ request: Request) async -> Response {
        do {
            return try await count(request)
        } catch {
            logger.warning("COUNT_TOKENS failed | Status: \(error.status) | Type: \(error.kind.rawValue) | Error: \(error.message)")
            return AnthropicErrorResponse.make(error, redactor: redactor)
        }
    }

    private func count(_ request: Request) async throws(ProxyError) -> Response {
        let body = try await RequestBodyReader.collect(request, limit: settings.maxRequestBytes)
        guard let json = try? JSONValue.parse(body) else { throw .invalidRequest("request body must be a JSON object") }
        let model = try AnthropicRequestCheck.validate(json)
        let provider: ProviderConfig
        let upstreamModel: String
        switch registry.resolve(model) {
        case .unknownProvider(let name): throw .unknownProvider(name, model: model)
        case .resolved(let p, let m, _): (provider, upstreamModel) = (p, m)
        }
        if provider.format == .anthropic {
            let key: String
            switch provider.credential {
            case .key(let k): key = k
            case .passthrough:
                guard let client = ClientKey.from(request, proxyKey: settings.proxyAPIKey.map(KeyDigest.init)) else {
                    throw ClientKey.missing(provider: provider.name, proxyKeySet: settings.proxyAPIKey != nil)
                }
                key = client
            }
            let rewritten = (try? JSONTopLevel.replacingModel(in: body, with: upstreamModel)) ?? body
            var headers: [(String, String)] = [("content-type", "application/json"), ("x-api-key", key),
                                               ("anthropic-version", request.headers[HTTPField.Name("anthropic-version")!] ?? AnthropicForwarder.defaultVersion)]
            if let beta = request.headers[HTTPField.Name("anthropic-beta")!] { headers.append(("anthropic-beta", beta)) }
            let response = try await upstream.post(url: provider.baseURL + "/v1/messages/count_tokens", headers: headers, body: rewritten,
                                                   deadline: settings.requestTimeout, provider: provider.name)
            guard response.status == .ok else { throw try await upstream.statusError(response, provider: provider, redactor: redactor.adding(key)) }
            let out = try await upstream.collect(response, limit: 1 << 20, provider: provider.name)
            logger.info("COUNT_TOKENS | Provider: \(provider.name) | Model: \(upstreamModel) | Source: upstream")
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: redactor.adding(key).redactingValues(out))))
        }
        // The same checks `/v1/messages` makes for this provider: the conversion it would run.
        do {
            _ = try AnthropicToOpenAIRequest.convert(json, upstreamModel: upstreamModel, stream: false)
        } catch {
            throw error.kind == .invalidRequest ? .invalidRequest(error.message) : .conversion(error.message)
        }
        let estimate = TokenEstimator.estimate(json)
        logger.info("COUNT_TOKENS | Provider: \(provider.name) | Model: \(upstreamModel) | Source: estimate | Tokens: \(estimate)")
        let out: JSONValue = ["input_tokens": .init(estimate)]
        return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: out.serialized())))
    }
}
