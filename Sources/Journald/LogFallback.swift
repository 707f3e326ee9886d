package import LogPipeline

/// A requested journald or syslog output whose records go elsewhere: chosen in its place at start-up
/// (its socket did not answer) or switched to later (it failed). For `/metrics/logs` and the
/// `vdm_log_sink_fallback` gauge.
package struct LogFallback: Sendable, Hashable {
    /// What was asked for: `journald` or `syslog`.
    public var sink: String
    /// Where its records go now: `syslog` or `console`.
    public var to: String

    public init(sink: String, to: String) {
        self.sink = sink
        self.to = to
    }
}

/// A requested journald or syslog output and the sink that carries its records — its own, or the one
/// chosen in its place at start-up. Read live: a sink that falls back later shows it at once.
package struct SystemLogOutput: Sendable {
    /// `journald` or `syslog`.
    public let requested: String
    let sink: any LogSink

    package init(requested: String, sink: any LogSink) {
        self.requested = requested
        self.sink = sink
    }

    /// Where the records go now.
    public var effective: String { (sink as? any LogTargetStatus)?.effectiveTarget ?? sink.name }

    /// Set while the records do not go where they were asked to.
    public var fallback: LogFallback? { effective == requested ? nil : LogFallback(sink: requested, to: effective) }
}

/// What `LogTargetSelection.build` chose.
package struct LogSelection: Sendable {
    /// One sink, or a `FanOutSink` when several.
    public let sink: any LogSink
    /// The effective target of each selected sink at start-up (`journald`, `syslog`, `console`,
    /// `json:/path`), for the start-up line.
    public let effective: [String]
    /// Why something was substituted or skipped, for printing once at start-up.
    public let notes: [String]
    /// The journald and syslog outputs asked for, with the sinks carrying their records.
    public let systemOutputs: [SystemLogOutput]

    /// The requested journald/syslog outputs not in effect now (at start-up or since).
    public var fallbacks: [LogFallback] { systemOutputs.compactMap(\.fallback) }
}
