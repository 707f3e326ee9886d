/// Everything the aggregator knows about one request. The completed-request record carries every
/// field, so replay rebuilds exactly the same value (see `CompletedRequestPayload`).
///
/// Token semantics: `inputTokens` is Anthropic's `input_tokens`, which EXCLUDES cache reads and cache
/// writes. For OpenAI upstreams it is `prompt_tokens - cached_tokens`. Total prompt size is
/// `inputTokens + cacheReadTokens + cacheCreationTokens` (what OTel calls `gen_ai.usage.input_tokens`).
public struct RequestMetrics: Sendable, Equatable, Hashable, Codable {
    /// vdm's own unique id for the request (the correlation id, `http.request.id`). Never the client's.
    public var requestID: String
    /// The client's `X-Request-ID` when it sent a sane one (redacted, ≤ 128 bytes): kept and searchable,
    /// never trusted as unique.
    public var clientRequestID: String?
    /// The model string the client sent (may carry a `provider:` prefix).
    public var requestedModel: String
    /// The model name sent upstream; empty when the request failed before resolution.
    public var resolvedModel: String
    /// Provider name; empty when unknown.
    public var provider: String
    public var isStreaming: Bool
    /// Wall-clock start, µs since the epoch (for `last_accessed` and display only).
    public var startMicros: Int64
    /// Monotonic duration from request received to last byte sent, nanoseconds. Exact integer.
    public var durationNanos: Int64
    /// Time spent waiting on the upstream (request sent → response complete), nanoseconds.
    public var upstreamNanos: Int64
    /// Streaming: request received → first content byte relayed; 0 when not applicable.
    public var firstTokenNanos: Int64
    public var inputTokens: Int
    public var outputTokens: Int
    public var cacheReadTokens: Int
    public var cacheCreationTokens: Int
    /// `tool_use` blocks in the request history.
    public var toolUses: Int
    /// `tool_result` blocks in the request history.
    public var toolResults: Int
    /// Tool calls the model made in this response.
    public var toolCalls: Int
    public var messageCount: Int
    public var requestBytes: Int
    public var responseBytes: Int
    /// HTTP status sent to the client (0 while in flight).
    public var httpStatus: Int
    public var error: String?
    public var errorType: String?
    public var stopReason: String?

    public init(
        requestID: String, requestedModel: String, resolvedModel: String = "", provider: String = "",
        isStreaming: Bool = false, startMicros: Int64 = 0, durationNanos: Int64 = 0, upstreamNanos: Int64 = 0,
        firstTokenNanos: Int64 = 0, inputTokens: Int = 0, outputTokens: Int = 0, cacheReadTokens: Int = 0,
        cacheCreationTokens: Int = 0, toolUses: Int = 0, toolResults: Int = 0, toolCalls: Int = 0,
        messageCount: Int = 0, requestBytes: Int = 0, responseBytes: Int = 0, httpStatus: Int = 0,
        error: String? = nil, errorType: String? = nil, stopReason: String? = nil, clientRequestID: String? = nil
    ) {
        self.requestID = requestID
        self.clientRequestID = clientRequestID
        self.requestedModel = requestedModel
        self.resolvedModel = resolvedModel
        self.provider = provider
        self.isStreaming = isStreaming
        self.startMicros = startMicros
        self.durationNanos = durationNanos
        self.upstreamNanos = upstreamNanos
        self.firstTokenNanos = firstTokenNanos
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cacheReadTokens = cacheReadTokens
        self.cacheCreationTokens = cacheCreationTokens
        self.toolUses = toolUses
        self.toolResults = toolResults
        self.toolCalls = toolCalls
        self.messageCount = messageCount
        self.requestBytes = requestBytes
        self.responseBytes = responseBytes
        self.httpStatus = httpStatus
        self.error = error
        self.errorType = errorType
        self.stopReason = stopReason
    }

    public var isError: Bool { error != nil || errorType != nil }

    /// Provider bucket name: the provider, or `unknown`.
    public var providerKey: String { provider.isEmpty ? "unknown" : provider }

    /// Model bucket name: the resolved model (colons and all), else the requested model without a
    /// `provider:` prefix, else `unknown`. One rule everywhere (the original had three).
    public var modelKey: String {
        if !resolvedModel.isEmpty { return resolvedModel }
        if !requestedModel.isEmpty {
            if !provider.isEmpty, requestedModel.hasPrefix(provider + ":") {
                let stripped = requestedModel.dropFirst(provider.count + 1)
                return stripped.isEmpty ? "unknown" : String(stripped)
            }
            return requestedModel
        }
        return "unknown"
    }
}
