/// `/metrics/active-requests` and the data of its SSE `update` events. Keys in the original's order
/// (reference §5.2), names from one rule: `provider`/`model` are `RequestMetrics.providerKey`/`modelKey`
/// — the same buckets the running totals and traces use — and `qualified_model` is `provider:model`
/// (the original mixed the client's alias and the resolved name across these fields).
package enum ActiveRequestsJSON {
    package static let disabledMessage = "Request metrics logging is disabled"
    package static let disabledSuggestion = "Unset LOG_REQUEST_METRICS (or set it to true) to enable tracking"

    /// `{"disabled":false,"active_requests":[…]}`, plus `"timestamp"` (epoch seconds) when given
    /// (the SSE events carry it, as the original's did).
    package static func render(_ requests: [RequestMetrics], nowMicros: Int64, timestampMicros: Int64? = nil) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64 + requests.count * 560)
        out.append(UInt8(ascii: "{"))
        JSONBytes.appendField("disabled", false, to: &out)
        out.append(UInt8(ascii: ","))
        JSONBytes.appendKey("active_requests", to: &out)
        out.append(UInt8(ascii: "["))
        for (i, m) in requests.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            appendRow(m, nowMicros: nowMicros, to: &out)
        }
        out.append(UInt8(ascii: "]"))
        if let timestampMicros {
            out.append(UInt8(ascii: ","))
            JSONBytes.appendKey("timestamp", to: &out)
            JSONBytes.appendEpochSeconds(micros: timestampMicros, to: &out)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// `{"disabled":true,"message":…,"suggestion":…}` (+ `"active_requests":[]` for the JSON endpoint).
    package static func disabled(message: String = disabledMessage, suggestion: String = disabledSuggestion, includeEmptyList: Bool = true) -> [UInt8] {
        var out: [UInt8] = []
        out.append(UInt8(ascii: "{"))
        JSONBytes.appendField("disabled", true, to: &out)
        out.append(UInt8(ascii: ","))
        JSONBytes.appendField("message", message, to: &out)
        out.append(UInt8(ascii: ","))
        JSONBytes.appendField("suggestion", suggestion, to: &out)
        if includeEmptyList {
            out.append(contentsOf: #","active_requests":[]"#.utf8)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// One in-flight request. `duration_ms` is the wall time since its start at `nowMicros`
    /// (whole milliseconds); clients showing a live clock should count from `start_time` instead.
    package static func appendRow(_ m: RequestMetrics, nowMicros: Int64, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        JSONBytes.appendField("request_id", m.requestID, to: &out)
        out.append(UInt8(ascii: ","))
        JSONBytes.appendField("provider", m.providerKey, to: &out)
        out.append(UInt8(ascii: ","))
        JSONBytes.appendField("model", m.modelKey, to: &out)
        out.append(UInt8(ascii: ","))
        JSONBytes.appendField("requested_model", m.requestedModel, to: &out)
        out.append(UInt8(ascii: ","))
        JSONBytes.appendField("resolved_model", m.resolvedModel, to: &out)
        out.append(UInt8(ascii: ","))
        JSONBytes.appendField("qualified_model", m.providerKey + ":" + m.modelKey, to: &out)
        out.append(UInt8(ascii: ","))
        JSONBytes.appendField("is_streaming", m.isStreaming, to: &out)
        out.append(UInt8(ascii: ","))
        JSONBytes.appendKey("start_time", to: &out)
        JSONBytes.appendEpochSeconds(micros: m.startMicros, to: &out)
        out.append(UInt8(ascii: ","))
        JSONBytes.appendKey("duration_ms", to: &out)
        JSONBytes.appendInt(max(0, nowMicros - m.startMicros) / 1_000, to: &out)
        out.append(UInt8(ascii: ","))
        JSONBytes.appendField("input_tokens", m.inputTokens, to: &out)
        out.append(UInt8(ascii: ","))
        JSONBytes.appendField("output_tokens", m.outputTokens, to: &out)
        out.append(UInt8(ascii: ","))
        JSONBytes.appendField("cache_read_tokens", m.cacheReadTokens, to: &out)
        out.append(UInt8(ascii: ","))
        JSONBytes.appendField("cache_creation_tokens", m.cacheCreationTokens, to: &out)
        out.append(UInt8(ascii: ","))
        JSONBytes.appendField("tool_uses", m.toolUses, to: &out)
        out.append(UInt8(ascii: ","))
        JSONBytes.appendField("tool_results", m.toolResults, to: &out)
        out.append(UInt8(ascii: ","))
        JSONBytes.appendField("tool_calls", m.toolCalls, to: &out)
        out.append(UInt8(ascii: ","))
        JSONBytes.appendField("request_size", m.requestBytes, to: &out)
        out.append(UInt8(ascii: ","))
        JSONBytes.appendField("message_count", m.messageCount, to: &out)
        out.append(UInt8(ascii: "}"))
    }
}
