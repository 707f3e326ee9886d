import HTTPTypes
import Hummingbird
import LogPipeline
import NIOCore

/// `GET /v1/models`: the `ModelCatalog`, in Anthropic's list format when the client sends
/// `anthropic-version` (the Anthropic SDKs and Claude Code do), else OpenAI's — as the original
/// proxy chose. `?format=anthropic|openai` overrides the header. Both bodies are made once.
struct ModelsHandler: Sendable {
    let anthropicBody: [UInt8]
    let openAIBody: [UInt8]
    let redactor: Redactor

    init(registry: ProviderRegistry, redactor: Redactor) {
        let catalog = ModelCatalog(registry: registry, redactor: redactor)
        anthropicBody = catalog.anthropic.serialized()
        openAIBody = catalog.openAI.serialized()
        self.redactor = redactor
    }

    func handle(_ request: Request) -> Response {
        let anthropic: Bool
        switch request.uri.queryParameters["format"].map({ $0.lowercased() }) {
        case "anthropic"?: anthropic = true
        case "openai"?: anthropic = false
        case nil: anthropic = request.headers[HTTPField.Name("anthropic-version")!] != nil
        case .some: return AnthropicErrorResponse.make(.invalidRequest("format: must be 'anthropic' or 'openai'"), redactor: redactor)
        }
        return Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-cache"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: anthropic ? anthropicBody : openAIBody)))
    }
}
