/// `/metrics/running-totals` as YAML: the original's structure and key order (reference §5.5), but
/// valid YAML throughout, comments placed before the blocks they describe, filters echoed in the
/// header, and durations from exact integers. `vdm replay` renders through this same function, so
/// its output equals the live endpoint's apart from the `# Generated:` line.
public enum RunningTotalsYAML {
    public static let generatedPrefix = "# Generated: "

    public static func render(_ totals: RunningTotals, generatedMicros: Int64) -> String {
        var out = "# Running Totals Report\n"
        out += generatedPrefix + WallClock.iso8601(micros: generatedMicros) + "\n"
        if let line = filterLine(totals.filter) { out += line + "\n" }
        out += "# In-flight requests: " + (totals.includeActive ? "included (counted once)" : "excluded") + "\n"
        out += "#\n\n"
        out += "# Summary Statistics\n"
        out += "summary:\n"
        if let last = totals.lastAccessedMicros {
            out += "  last_accessed:\n    top: '" + WallClock.iso8601(micros: last) + "'\n"
        } else {
            out += "  last_accessed: null\n"
        }
        let s = totals.summary
        out += "  total_requests: \(s.requests)\n"
        out += "  total_errors: \(s.errors)\n"
        out += "  total_input_tokens: \(s.inputTokens)\n"
        out += "  total_output_tokens: \(s.outputTokens)\n"
        out += "  total_cache_read_tokens: \(s.cacheReadTokens)\n"
        out += "  total_cache_creation_tokens: \(s.cacheCreationTokens)\n"
        out += "  total_tool_uses: \(s.toolUses)\n"
        out += "  total_tool_results: \(s.toolResults)\n"
        out += "  total_tool_calls: \(s.toolCalls)\n"
        out += "  active_requests: \(totals.activeRequests)\n"
        out += "  average_duration_ms: \(s.averageDurationMillis)\n"
        out += "  total_duration_ms: \(YAMLText.millis3(s.durationNanos))\n"
        out += "\n# Provider Breakdown\n"
        if totals.providers.isEmpty {
            out += "providers: {}\n"
            return out
        }
        out += "providers:\n"
        for provider in totals.providers {
            out += "  # " + titleCase(provider.name) + " Provider\n"
            out += "  " + YAMLText.scalar(provider.name) + ":\n"
            out += "    last_accessed: " + timestamp(provider.lastAccessedMicros) + "\n"
            out += "    rollup:\n"
            sections(provider.rollup, indent: "      ", into: &out)
            if !provider.models.isEmpty {
                out += "    models:\n"
                for model in provider.models {
                    out += "      " + YAMLText.scalar(model.name) + ":\n"
                    out += "        last_accessed: " + timestamp(model.lastAccessedMicros) + "\n"
                    sections(model.counters, indent: "        ", into: &out)
                }
            }
        }
        return out
    }

    /// The valid document for `LOG_REQUEST_METRICS=false` (the original's was malformed and backwards).
    public static func disabled(generatedMicros: Int64) -> String {
        "# Running Totals Report\n" + generatedPrefix + WallClock.iso8601(micros: generatedMicros) + "\n#\n\n"
            + "_metrics_enabled: false\n"
            + "message: Request metrics logging is disabled\n"
            + "suggestion: Unset LOG_REQUEST_METRICS (or set it to true) to enable tracking\n"
    }

    static func filterLine(_ filter: TotalsFilter) -> String? {
        switch (filter.provider, filter.model) {
        case (nil, nil): nil
        case (let p?, nil): "# Filter: provider=" + LineEscaper.escaped(p.description)
        case (nil, let m?): "# Filter: model=" + LineEscaper.escaped(m.description)
        case (let p?, let m?): "# Filter: provider=" + LineEscaper.escaped(p.description) + " & model=" + LineEscaper.escaped(m.description)
        }
    }

    private static func timestamp(_ micros: Int64) -> String {
        micros > 0 ? "'" + WallClock.iso8601(micros: micros) + "'" : "null"
    }

    /// `total` always; `streaming` / `non_streaming` only when they have requests (as the original).
    private static func sections(_ split: SplitCounters, indent: String, into out: inout String) {
        section("total", split.total, indent, &out)
        if split.streaming.requests > 0 { section("streaming", split.streaming, indent, &out) }
        if split.nonStreaming.requests > 0 { section("non_streaming", split.nonStreaming, indent, &out) }
    }

    private static func section(_ name: String, _ c: MetricCounters, _ indent: String, _ out: inout String) {
        let i = indent + "  "
        out += indent + name + ":\n"
        out += i + "requests: \(c.requests)\n"
        out += i + "errors: \(c.errors)\n"
        out += i + "input_tokens: \(c.inputTokens)\n"
        out += i + "output_tokens: \(c.outputTokens)\n"
        out += i + "cache_read_tokens: \(c.cacheReadTokens)\n"
        out += i + "cache_creation_tokens: \(c.cacheCreationTokens)\n"
        out += i + "tool_uses: \(c.toolUses)\n"
        out += i + "tool_results: \(c.toolResults)\n"
        out += i + "tool_calls: \(c.toolCalls)\n"
        out += i + "average_duration_ms: \(c.averageDurationMillis)\n"
        out += i + "total_duration_ms: \(YAMLText.millis3(c.durationNanos))\n"
    }

    /// `openai` → `Openai`, as the original's comment lines; control characters made visible.
    static func titleCase(_ name: String) -> String {
        LineEscaper.escaped(name.prefix(1).uppercased() + name.dropFirst().lowercased())
    }
}
