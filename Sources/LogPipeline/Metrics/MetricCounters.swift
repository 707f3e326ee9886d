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

    /// The contribution of one request (its values must be within `RecordBounds`).
    public init(_ m: RequestMetrics, inFlight active: Bool = false) {
        requests = 1
        errors = m.isError ? 1 : 0
        inputTokens = m.inputTokens
        outputTokens = m.outputTokens
        cacheReadTokens = m.cacheReadTokens
        cacheCreationTokens = m.cacheCreationTokens
        toolUses = m.toolUses
        toolResults = m.toolResults
        toolCalls = m.toolCalls
        if active { inFlight = 1 } else { durationNanos = m.durationNanos }
    }

    /// Adds a request whose values are within `RecordBounds` to a sum kept within
    /// `RecordBounds.total` (the aggregate's invariant, which `MetricsAggregate.add` checks first).
    mutating func add(_ m: RequestMetrics, inFlight active: Bool = false) {
        merge(MetricCounters(m, inFlight: active))
    }

    /// Adds a sum already admitted into a larger checked total (a bucket of an aggregate whose
    /// grand total was checked with `adding`): every sub-sum is at most that total, so no overflow.
    mutating func merge(_ o: MetricCounters) {
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

    /// `self + o` field by field, checked: throws the first field whose sum leaves
    /// `RecordBounds.total` (a negative value in either operand counts as leaving it).
    public func adding(_ o: MetricCounters) throws(SumError) -> MetricCounters {
        var r = MetricCounters()
        r.requests = try Self.sum(requests, o.requests, "requests")
        r.errors = try Self.sum(errors, o.errors, "errors")
        r.inputTokens = try Self.sum(inputTokens, o.inputTokens, "input_tokens")
        r.outputTokens = try Self.sum(outputTokens, o.outputTokens, "output_tokens")
        r.cacheReadTokens = try Self.sum(cacheReadTokens, o.cacheReadTokens, "cache_read_tokens")
        r.cacheCreationTokens = try Self.sum(cacheCreationTokens, o.cacheCreationTokens, "cache_creation_tokens")
        r.toolUses = try Self.sum(toolUses, o.toolUses, "tool_uses")
        r.toolResults = try Self.sum(toolResults, o.toolResults, "tool_results")
        r.toolCalls = try Self.sum(toolCalls, o.toolCalls, "tool_calls")
        r.durationNanos = Int64(try Self.sum(Int(durationNanos), Int(o.durationNanos), "duration_ns"))
        r.inFlight = try Self.sum(inFlight, o.inFlight, "in_flight")
        return r
    }

    /// Every field within `RecordBounds.total` (what a stored partial result must hold).
    public var isWithinTotalBound: Bool {
        let bound = RecordBounds.total
        return [requests, errors, inputTokens, outputTokens, cacheReadTokens, cacheCreationTokens, toolUses,
                toolResults, toolCalls, Int(durationNanos), inFlight].allSatisfy { bound.contains(Int64($0)) }
    }

    private static func sum(_ a: Int, _ b: Int, _ field: String) throws(SumError) -> Int {
        let bound = RecordBounds.total
        guard bound.contains(Int64(a)), bound.contains(Int64(b)) else { throw .totalExceeded(field: field) }
        let (s, overflow) = a.addingReportingOverflow(b)
        guard !overflow, bound.contains(Int64(s)) else { throw .totalExceeded(field: field) }
        return s
    }

    /// Average over completed requests only (in-flight ones have no duration yet), rounded half up.
    public var averageDurationMillis: Int64 {
        // 128-bit: `completed * 1_000_000` passes Int64 long before the sums reach their bound.
        let completed = Int128(requests) - Int128(inFlight)
        guard completed > 0 else { return 0 }
        return Int64(clamping: (Int128(durationNanos) + completed * 500_000) / (completed * 1_000_000))
    }
}

/// `total` plus the streaming / non-streaming split.
public struct SplitCounters: Sendable, Equatable, Hashable, Codable {
    public var total = MetricCounters()
    public var streaming = MetricCounters()
    public var nonStreaming = MetricCounters()

    public init() {}

    /// See `MetricCounters.add`: the caller has checked the grand total.
    mutating func add(_ m: RequestMetrics, inFlight: Bool = false) {
        total.add(m, inFlight: inFlight)
        if m.isStreaming { streaming.add(m, inFlight: inFlight) } else { nonStreaming.add(m, inFlight: inFlight) }
    }

    /// See `MetricCounters.merge`: the caller has checked the grand total.
    mutating func merge(_ o: SplitCounters) {
        total.merge(o.total)
        streaming.merge(o.streaming)
        nonStreaming.merge(o.nonStreaming)
    }

    /// Each section within `RecordBounds.total`, and the split adding up to the total exactly.
    var isConsistent: Bool {
        guard total.isWithinTotalBound, streaming.isWithinTotalBound, nonStreaming.isWithinTotalBound,
              let sum = try? streaming.adding(nonStreaming) else { return false }
        return sum == total
    }
}
