/// The `/metrics/active-requests/stream` knobs (`VDM_ACTIVE_REQUESTS_SSE_*`), validated at startup.
package struct ActiveRequestsStreamSettings: Sendable, Equatable {
    /// `VDM_ACTIVE_REQUESTS_SSE_ENABLED` (default true).
    var enabled = true
    /// `VDM_ACTIVE_REQUESTS_SSE_INTERVAL`: at most one event per interval for changes that only move
    /// live numbers (streamed tokens); starts and ends are not held back by it (see `ActiveRequestsStream`).
    var interval: Duration = .milliseconds(500)
    /// `VDM_ACTIVE_REQUESTS_SSE_HEARTBEAT`: a `: heartbeat` comment after this long without a write.
    var heartbeat: Duration = .seconds(30)
    /// The `retry:` hint (ms) sent with the first event: how long a browser waits before reconnecting.
    var retryMillis = 2_000

    package static func fromEnvironment(_ env: [String: String]) throws -> ActiveRequestsStreamSettings {
        var s = ActiveRequestsStreamSettings()
        if let raw = env["VDM_ACTIVE_REQUESTS_SSE_ENABLED"], !raw.isEmpty {
            guard let value = BooleanSetting.parse(raw) else {
                throw ConfigurationError(variable: "VDM_ACTIVE_REQUESTS_SSE_ENABLED", problem: "must be true or false")
            }
            s.enabled = value
        }
        s.interval = try seconds(env, "VDM_ACTIVE_REQUESTS_SSE_INTERVAL", range: 0.01...3_600) ?? s.interval
        s.heartbeat = try seconds(env, "VDM_ACTIVE_REQUESTS_SSE_HEARTBEAT", range: 0.05...3_600) ?? s.heartbeat
        return s
    }

    private static func seconds(_ env: [String: String], _ name: String, range: ClosedRange<Double>) throws -> Duration? {
        guard let raw = env[name], !raw.isEmpty else { return nil }
        guard let value = Double(raw), range.contains(value) else {
            throw ConfigurationError(variable: name, problem: "must be a number of seconds in \(range.lowerBound)…\(range.upperBound)")
        }
        return .microseconds(Int64((value * 1_000_000).rounded()))
    }
}

/// `true`/`false` the way every boolean setting and query parameter is read.
enum BooleanSetting {
    static func parse(_ raw: some StringProtocol) -> Bool? {
        switch raw.lowercased() {
        case "true", "1", "yes", "on": true
        case "false", "0", "no", "off": false
        default: nil
        }
    }
}
