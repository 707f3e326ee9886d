import LogPipeline

/// Request metrics for driving the tracker directly.
func workload(_ id: String, provider: String = "openai", model: String = "gpt-4o", streaming: Bool = false,
              input: Int = 10, output: Int = 20, cacheRead: Int = 0, cacheCreation: Int = 0,
              durationMillis: Int64 = 100, upstreamMillis: Int64 = 90, firstTokenMillis: Int64 = 0,
              errorType: String? = nil, startMicros: Int64 = WallClock.nowMicros()) -> RequestMetrics {
    RequestMetrics(
        requestID: id, requestedModel: "\(provider):\(model)", resolvedModel: model, provider: provider, isStreaming: streaming,
        startMicros: startMicros, durationNanos: durationMillis * 1_000_000, upstreamNanos: upstreamMillis * 1_000_000,
        firstTokenNanos: firstTokenMillis * 1_000_000, inputTokens: input, outputTokens: output,
        cacheReadTokens: cacheRead, cacheCreationTokens: cacheCreation, toolUses: 1, toolResults: 1, toolCalls: 2,
        messageCount: 3, requestBytes: 1_234, responseBytes: 567, httpStatus: errorType == nil ? 200 : 502,
        error: errorType.map { "failed: \($0)" }, errorType: errorType)
}
