/// The seed's human log lines. Numbers are plain integers (no thousands separators), so the lines
/// stay greppable; the structured fields beside them are what replay reads.
package enum HumanLines {
    package static func start(_ m: RequestMetrics, toolsDefined: Int, maxTokens: Int) -> String {
        let resolved = m.provider.isEmpty ? "unresolved" : "\(m.provider):\(m.resolvedModel)"
        return "START | Model: \(m.requestedModel) (resolved: \(resolved)) | Stream: \(m.isStreaming) | Messages: \(m.messageCount) | Max Tokens: \(maxTokens) | Size: \(m.requestBytes) bytes | Tools: \(toolsDefined) | Tool Uses: \(m.toolUses) | Tool Results: \(m.toolResults)"
    }

    package static func completed(_ m: RequestMetrics) -> String {
        let duration = millis(m.durationNanos)
        if m.isError {
            return "ERROR | Duration: \(duration)ms | Status: \(m.httpStatus) | Type: \(m.errorType ?? "unknown") | Provider: \(m.providerKey) | Model: \(m.modelKey) | Tokens: \(m.inputTokens)→\(m.outputTokens) | Error: \(m.error ?? "")"
        }
        var line = "SUCCESS | Duration: \(duration)ms | Provider: \(m.providerKey) | Model: \(m.modelKey) | Stream: \(m.isStreaming) | Tokens: \(m.inputTokens)→\(m.outputTokens) | Cache: \(m.cacheReadTokens) read, \(m.cacheCreationTokens) created | Size: \(m.requestBytes)→\(m.responseBytes) bytes"
        if m.toolCalls > 0 { line += " | Tool Calls: \(m.toolCalls)" }
        if m.toolUses > 0 || m.toolResults > 0 { line += " | Tool Uses: \(m.toolUses) | Tool Results: \(m.toolResults)" }
        return line
    }

    /// Labelled as what it is: cumulative since the process started (the original said "last N").
    package static func summary(_ t: MetricCounters) -> String {
        "SUMMARY (cumulative since start) | Total: \(t.requests) | Errors: \(t.errors) | Avg Duration: \(t.averageDurationMillis)ms | Input Tokens: \(t.inputTokens) | Output Tokens: \(t.outputTokens) | Cache Hits: \(t.cacheReadTokens) | Cache Creation: \(t.cacheCreationTokens) | Tool Uses: \(t.toolUses) | Tool Results: \(t.toolResults) | Tool Calls: \(t.toolCalls)"
    }

    package static func models(_ counts: [String: Int]) -> String {
        "MODELS (cumulative) | " + ordered(counts).map { "\($0.key): \($0.value)" }.joined(separator: " | ")
    }

    package static func errors(_ counts: [String: Int]) -> String {
        "ERRORS (cumulative) | " + ordered(counts).map { "\($0.key): \($0.value)" }.joined(separator: " | ")
    }

    /// Most frequent first, then by name, so the line is deterministic.
    static func ordered(_ counts: [String: Int]) -> [(key: String, value: Int)] {
        counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
    }

    /// Whole milliseconds, rounded half up (128-bit: a refused, out-of-bounds duration is still logged).
    package static func millis(_ nanos: Int64) -> Int64 { Int64((Int128(nanos) + 500_000) / 1_000_000) }
}
