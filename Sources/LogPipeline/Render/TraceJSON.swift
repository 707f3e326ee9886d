/// A `TraceEntry` (recent traces and errors of `/metrics/logs`) as a JSON object. Keys follow the
/// original's trace order (reference §5.2) with the active-request vocabulary for tool counts
/// (`tool_uses`, `tool_results`, `tool_calls` rather than `tool_use_count`, …), plus the fields our
/// entries carry that the original's did not (`requested_model`, `http_status`).
package enum TraceJSON {
    package static func append(_ t: TraceEntry, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        JSONBytes.appendField("seq", t.seq, to: &out)
        out.append(UInt8(ascii: ","))
        JSONBytes.appendKey("ts", to: &out)
        JSONBytes.appendEpochSeconds(micros: t.endMicros, to: &out)
        out.append(UInt8(ascii: ","))
        JSONBytes.appendField("request_id", t.requestID, to: &out)
        out.append(UInt8(ascii: ","))
        JSONBytes.appendField("provider", t.provider, to: &out)
        out.append(UInt8(ascii: ","))
        JSONBytes.appendField("model", t.model, to: &out)
        out.append(UInt8(ascii: ","))
        JSONBytes.appendField("requested_model", t.requestedModel, to: &out)
        out.append(UInt8(ascii: ","))
        JSONBytes.appendField("is_streaming", t.isStreaming, to: &out)
        out.append(UInt8(ascii: ","))
        JSONBytes.appendKey("duration_ms", to: &out)
        JSONBytes.appendMillis(nanos: t.durationNanos, to: &out)
        out.append(UInt8(ascii: ","))
        JSONBytes.appendField("input_tokens", t.inputTokens, to: &out)
        out.append(UInt8(ascii: ","))
        JSONBytes.appendField("output_tokens", t.outputTokens, to: &out)
        out.append(UInt8(ascii: ","))
        JSONBytes.appendField("cache_read_tokens", t.cacheReadTokens, to: &out)
        out.append(UInt8(ascii: ","))
        JSONBytes.appendField("cache_creation_tokens", t.cacheCreationTokens, to: &out)
        out.append(UInt8(ascii: ","))
        JSONBytes.appendField("tool_uses", t.toolUses, to: &out)
        out.append(UInt8(ascii: ","))
        JSONBytes.appendField("tool_results", t.toolResults, to: &out)
        out.append(UInt8(ascii: ","))
        JSONBytes.appendField("tool_calls", t.toolCalls, to: &out)
        out.append(UInt8(ascii: ","))
        JSONBytes.appendField("http_status", t.httpStatus, to: &out)
        out.append(UInt8(ascii: ","))
        JSONBytes.appendField("status", t.ok ? "ok" : "error", to: &out)
        out.append(UInt8(ascii: ","))
        JSONBytes.appendField("error", t.error, to: &out)
        out.append(UInt8(ascii: ","))
        JSONBytes.appendField("error_type", t.errorType, to: &out)
        out.append(UInt8(ascii: "}"))
    }

    /// `[…]` of entries in the given order (the tracker hands them newest first).
    package static func appendArray(_ entries: [TraceEntry], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        for (i, entry) in entries.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            append(entry, to: &out)
        }
        out.append(UInt8(ascii: "]"))
    }
}
