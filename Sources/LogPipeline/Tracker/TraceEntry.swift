/// One finished request in the recent-traces / recent-errors views.
public struct TraceEntry: Sendable, Equatable, Codable {
    public var seq: Int
    public var endMicros: Int64
    public var requestID: String
    public var provider: String
    public var model: String
    public var requestedModel: String
    public var isStreaming: Bool
    public var durationNanos: Int64
    public var inputTokens: Int
    public var outputTokens: Int
    public var cacheReadTokens: Int
    public var cacheCreationTokens: Int
    public var toolUses: Int
    public var toolResults: Int
    public var toolCalls: Int
    public var httpStatus: Int
    public var ok: Bool
    public var error: String?
    public var errorType: String?

    public init(seq: Int, endMicros: Int64, metrics m: RequestMetrics) {
        self.seq = seq
        self.endMicros = endMicros
        requestID = m.requestID
        provider = m.providerKey
        model = m.modelKey
        requestedModel = m.requestedModel
        isStreaming = m.isStreaming
        durationNanos = m.durationNanos
        inputTokens = m.inputTokens
        outputTokens = m.outputTokens
        cacheReadTokens = m.cacheReadTokens
        cacheCreationTokens = m.cacheCreationTokens
        toolUses = m.toolUses
        toolResults = m.toolResults
        toolCalls = m.toolCalls
        httpStatus = m.httpStatus
        ok = !m.isError
        error = m.error
        errorType = m.isError ? (m.errorType ?? "unknown") : nil
    }
}
