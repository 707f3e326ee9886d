/// The eleven numbers of one section (`total`, `streaming`, `non_streaming`) of the running totals.
/// Integers only, so sums are exact and independent of the order requests are added in.
public struct MetricCounters: Sendable, Equatable, Hashable, Codable {
    public var requests = 0
    public var errors = 0
    public var inputTokens = 0
    public var outputTokens = 0
    public var cacheReadTokens = 0
    public var cacheCreationTokens = 0
    public var toolUses = 0
    public var toolResults = 0
    public var toolCalls = 0
    /// Sum of completed durations, nanoseconds.
    public var durationNanos: Int64 = 0
    /// Requests counted here that are still in flight (their duration is not in the sum yet).
    public var inFlight = 0

    public init() {}

    public mutating func add(_ m: RequestMetrics, inFlight active: Bool = false) {
        requests += 1
        if m.isError { errors += 1 }
        inputTokens += m.inputTokens
        outputTokens += m.outputTokens
        cacheReadTokens += m.cacheReadTokens
        cacheCreationTokens += m.cacheCreationTokens
        toolUses += m.toolUses
        toolResults += m.toolResults
        toolCalls += m.toolCalls
        if active { inFlight += 1 } else { durationNanos += m.durationNanos }
    }

    public mutating func merge(_ o: MetricCounters) {
        requests += o.requests
        errors += o.errors
        inputTokens += o.inputTokens
        outputTokens += o.outputTokens
        cacheReadTokens += o.cacheReadTokens
        cacheCreationTokens += o.cacheCreationTokens
        toolUses += o.toolUses
        toolResults += o.toolResults
        toolCalls += o.toolCalls
        durationNanos += o.durationNanos
        inFlight += o.inFlight
    }

    /// Average over completed requests only (in-flight ones have no duration yet), rounded half up.
    public var averageDurationMillis: Int64 {
        let completed = Int64(requests - inFlight)
        guard completed > 0 else { return 0 }
        return (durationNanos + completed * 500_000) / (completed * 1_000_000)
    }
}

/// `total` plus the streaming / non-streaming split.
public struct SplitCounters: Sendable, Equatable, Hashable, Codable {
    public var total = MetricCounters()
    public var streaming = MetricCounters()
    public var nonStreaming = MetricCounters()

    public init() {}

    public mutating func add(_ m: RequestMetrics, inFlight: Bool = false) {
        total.add(m, inFlight: inFlight)
        if m.isStreaming { streaming.add(m, inFlight: inFlight) } else { nonStreaming.add(m, inFlight: inFlight) }
    }

    public mutating func merge(_ o: SplitCounters) {
        total.merge(o.total)
        streaming.merge(o.streaming)
        nonStreaming.merge(o.nonStreaming)
    }
}
