/// The running totals as JSON: the YAML document's structure and key order (see
/// `RunningTotalsYAML`), integers as JSON integers, `total_duration_ms` with the same three
/// decimals, the header comments as fields. Deterministic: providers and models sorted by name.
public enum RunningTotalsJSON {
    /// The key holding the generation time (the one field that differs between two renders).
    public static let generatedKey = "generated"

    public static func render(_ totals: RunningTotals, generatedMicros: Int64) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(4096)
        out.append(contentsOf: "{\"report\":\"running_totals\",\"\(generatedKey)\":\"".utf8)
        WallClock.appendISO8601(micros: generatedMicros, to: &out)
        out.append(contentsOf: "\",\"filter\":".utf8)
        if totals.filter.provider == nil && totals.filter.model == nil {
            out.append(contentsOf: "null".utf8)
        } else {
            out.append(contentsOf: "{\"provider\":".utf8)
            optionalString(totals.filter.provider?.description, &out)
            out.append(contentsOf: ",\"model\":".utf8)
            optionalString(totals.filter.model?.description, &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(contentsOf: ",\"include_active\":\(totals.includeActive)".utf8)
        out.append(contentsOf: ",\"summary\":{\"last_accessed\":".utf8)
        if let last = totals.lastAccessedMicros {
            out.append(contentsOf: "{\"top\":\"".utf8)
            WallClock.appendISO8601(micros: last, to: &out)
            out.append(contentsOf: "\"}".utf8)
        } else {
            out.append(contentsOf: "null".utf8)
        }
        let s = totals.summary
        field("total_requests", s.requests, &out)
        field("total_errors", s.errors, &out)
        field("total_input_tokens", s.inputTokens, &out)
        field("total_output_tokens", s.outputTokens, &out)
        field("total_cache_read_tokens", s.cacheReadTokens, &out)
        field("total_cache_creation_tokens", s.cacheCreationTokens, &out)
        field("total_tool_uses", s.toolUses, &out)
        field("total_tool_results", s.toolResults, &out)
        field("total_tool_calls", s.toolCalls, &out)
        field("active_requests", totals.activeRequests, &out)
        field("average_duration_ms", Int(s.averageDurationMillis), &out)
        out.append(contentsOf: ",\"total_duration_ms\":\(YAMLText.millis3(s.durationNanos))".utf8)
        // The overall streaming / non-streaming sections (JSON only; the YAML keeps the original's shape).
        for (name, c) in [("streaming", totals.summarySplit.streaming), ("non_streaming", totals.summarySplit.nonStreaming)] where c.requests > 0 {
            out.append(UInt8(ascii: ","))
            section(name, c, &out)
        }
        out.append(contentsOf: "},\"providers\":{".utf8)
        for (i, provider) in totals.providers.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            JSONBytes.appendKey(provider.name, to: &out)
            out.append(contentsOf: "{\"last_accessed\":".utf8)
            timestamp(provider.lastAccessedMicros, &out)
            out.append(contentsOf: ",\"rollup\":".utf8)
            sections(provider.rollup, &out, open: true)
            out.append(contentsOf: ",\"models\":{".utf8)
            for (j, model) in provider.models.enumerated() {
                if j > 0 { out.append(UInt8(ascii: ",")) }
                JSONBytes.appendKey(model.name, to: &out)
                out.append(contentsOf: "{\"last_accessed\":".utf8)
                timestamp(model.lastAccessedMicros, &out)
                out.append(UInt8(ascii: ","))
                sections(model.counters, &out, open: false)
                out.append(UInt8(ascii: "}"))
            }
            out.append(contentsOf: "}}".utf8)
        }
        out.append(contentsOf: "}}\n".utf8)
        return String(decoding: out, as: UTF8.self)
    }

    private static func optionalString(_ text: String?, _ out: inout [UInt8]) {
        if let text { JSONBytes.appendString(text, to: &out) } else { out.append(contentsOf: "null".utf8) }
    }

    private static func timestamp(_ micros: Int64, _ out: inout [UInt8]) {
        guard micros > 0 else { out.append(contentsOf: "null".utf8); return }
        out.append(UInt8(ascii: "\""))
        WallClock.appendISO8601(micros: micros, to: &out)
        out.append(UInt8(ascii: "\""))
    }

    private static func field(_ name: String, _ value: Int, _ out: inout [UInt8]) {
        out.append(UInt8(ascii: ","))
        JSONBytes.appendKey(name, to: &out)
        JSONBytes.appendInt(Int64(value), to: &out)
    }

    /// `total` always; `streaming` / `non_streaming` only when they have requests (as the YAML).
    /// `open`: wrap in braces (the provider's `rollup` object) or continue the enclosing object.
    private static func sections(_ split: SplitCounters, _ out: inout [UInt8], open: Bool) {
        if open { out.append(UInt8(ascii: "{")) }
        section("total", split.total, &out)
        if split.streaming.requests > 0 { out.append(UInt8(ascii: ",")); section("streaming", split.streaming, &out) }
        if split.nonStreaming.requests > 0 { out.append(UInt8(ascii: ",")); section("non_streaming", split.nonStreaming, &out) }
        if open { out.append(UInt8(ascii: "}")) }
    }

    private static func section(_ name: String, _ c: MetricCounters, _ out: inout [UInt8]) {
        JSONBytes.appendKey(name, to: &out)
        out.append(contentsOf: "{\"requests\":\(c.requests)".utf8)
        field("errors", c.errors, &out)
        field("input_tokens", c.inputTokens, &out)
        field("output_tokens", c.outputTokens, &out)
        field("cache_read_tokens", c.cacheReadTokens, &out)
        field("cache_creation_tokens", c.cacheCreationTokens, &out)
        field("tool_uses", c.toolUses, &out)
        field("tool_results", c.toolResults, &out)
        field("tool_calls", c.toolCalls, &out)
        field("average_duration_ms", Int(c.averageDurationMillis), &out)
        out.append(contentsOf: ",\"total_duration_ms\":\(YAMLText.millis3(c.durationNanos))}".utf8)
    }
}

/// Output formats of the running totals, shared by the endpoint and `vdm replay`/`vdm merge`.
/// Extension point: a format is one case here and one line in `render` (the lead adds
/// `prometheus` with its renderer).
public enum TotalsFormat: String, CaseIterable, Sendable {
    case yaml
    case json

    public func render(_ totals: RunningTotals, generatedMicros: Int64) -> String {
        switch self {
        case .yaml: RunningTotalsYAML.render(totals, generatedMicros: generatedMicros)
        case .json: RunningTotalsJSON.render(totals, generatedMicros: generatedMicros)
        }
    }

    /// The document without its generation time, for comparing a replay with a live render.
    public func comparable(_ document: String) -> String {
        switch self {
        case .yaml:
            document.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.hasPrefix(RunningTotalsYAML.generatedPrefix) }
                .joined(separator: "\n")
        case .json:
            Self.dropGenerated(document)
        }
    }

    private static func dropGenerated(_ json: String) -> String {
        let marker = ",\"\(RunningTotalsJSON.generatedKey)\":\""
        guard let r = json.range(of: marker), let close = json[r.upperBound...].firstIndex(of: "\"") else { return json }
        return String(json[..<r.lowerBound] + json[json.index(after: close)...])
    }
}
