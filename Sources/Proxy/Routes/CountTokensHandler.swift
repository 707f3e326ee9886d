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
        guard let json = try? JSONValue.parse(body), case .object = json else { throw .invalidRequest("request body must be a JSON object") }
        guard let model = json["model"]?.string, !model.isEmpty else { throw .invalidRequest("model: field required (a string)") }
        guard case .resolved(let provider, let upstreamModel) = registry.resolve(model) else {
            throw .unknownProvider(String(model.prefix { $0 != ":" }), model: model)
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
            let out = try await UpstreamClient.collect(response, limit: 1 << 20, provider: provider.name)
            guard response.status == .ok else {
                throw ProxyError.upstreamStatus(Int(response.status.code), provider: provider.name,
                                                upstreamMessage: UpstreamCall.upstreamMessage(out, redactor: redactor.adding(key)), passthroughKey: provider.isPassthrough)
            }
            logger.info("COUNT_TOKENS | Provider: \(provider.name) | Model: \(upstreamModel) | Source: upstream")
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: redactor.adding(key).redactingValues(out))))
        }
        let estimate = TokenEstimator.estimate(json)
        logger.info("COUNT_TOKENS | Provider: \(provider.name) | Model: \(upstreamModel) | Source: estimate | Tokens: \(estimate)")
        let out: JSONValue = ["input_tokens": .init(estimate)]
        return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: out.serialized())))
    }
}
