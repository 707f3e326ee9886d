import Journald
import LogPipeline

/// Which log outputs were asked for and which are in effect, read live: a journald output that fails
/// after start-up shows as its fallback in `/health`, `/metrics/logs` and `/metrics` at once.
package struct LoggingMode: Sendable {
    /// As asked for (`journald`, `json:/var/log/vdm.json`, …).
    let requested: [String]
    /// Everything records are written to (the router's sink).
    let sink: any LogSink
    /// The requested journald/syslog outputs, watched for fallbacks.
    let systemOutputs: [SystemLogOutput]

    init(requested: [String], sink: any LogSink, systemOutputs: [SystemLogOutput] = []) {
        self.requested = requested
        self.sink = sink
        self.systemOutputs = systemOutputs
    }

    /// Each output as it is now (`journald`, `syslog`, `console`, `json:/path`, …).
    package var effective: [String] { LogTargetSelection.liveTargets(of: sink) }

    /// The requested journald/syslog outputs whose records go elsewhere now.
    var fallbacks: [LogFallback] { systemOutputs.compactMap(\.fallback) }

    /// A requested output is not in effect (journald unavailable or failed: syslog or console instead).
    var fallbackActive: Bool { !fallbacks.isEmpty }
}
