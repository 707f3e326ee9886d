import Glibc
package import LogPipeline

/// Live state of a sink that can fall back, for `/health`, `/metrics/logs` and a Prometheus gauge.
package protocol LogTargetStatus: Sendable {
    /// What the sink was asked to be (`journald`, `syslog`).
    var requestedTarget: String { get }
    /// Where records go now: `journald`, or the fallback's own effective target (`syslog`, `console`).
    var effectiveTarget: String { get }
    /// Why the sink left its own destination; nil while it has not.
    var fallbackReason: String? { get }
}

extension LogTargetStatus {
    package var isFallingBack: Bool { fallbackReason != nil }
}

/// The one line said when a sink falls back. Written to stderr by default: not as a log record,
/// because a record needs a sequence number that only the `LogRouter` hands out (see docs/journald.md).
public enum FallbackNotice {
    public static func standardError(_ text: String) {
        var line = Array("vdm: \(text)\n".utf8)
        line.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress else { return }
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(2, base + offset, raw.count - offset)
                if n <= 0 { return }
                offset += n
            }
        }
    }
}

extension LogTargetSelection {
    /// `journald`, `syslog`, `console`, `json:/path` for each sink behind `sink` (looking through
    /// `FanOutSink`), each as it is now, for `/health` and `/metrics/logs`.
    package static func liveTargets(of sink: any LogSink) -> [String] {
        if let fan = sink as? FanOutSink { return fan.sinks.flatMap { liveTargets(of: $0) } }
        if let status = sink as? any LogTargetStatus { return [status.effectiveTarget] }
        return [sink.name]
    }
}
