import Foundation

/// Everything `vdm serve` reads from flags and the environment, validated once at startup.
package struct ServerSettings: Sendable {
    package var host = "127.0.0.1"
    package var port = 8082
    /// Non-streaming upstream deadline (`REQUEST_TIMEOUT`, seconds).
    package var requestTimeout: Duration = .seconds(90)
    /// `STREAMING_CONNECT_TIMEOUT_SECONDS`.
    var streamingConnectTimeout: Duration = .seconds(30)
    /// `STREAMING_READ_TIMEOUT_SECONDS`: longest silence between upstream stream chunks.
    var streamingReadTimeout: Duration = .seconds(300)
    /// `PROXY_API_KEY`: clients must present it (x-api-key or Authorization: Bearer).
    package var proxyAPIKey: String?
    /// `VDM_MAX_REQUEST_BYTES`: larger bodies get 413 without being buffered whole.
    var maxRequestBytes = 32 << 20
    /// `VDM_UPSTREAM_CONNECTIONS`: connections per upstream host. A request beyond them waits for one
    /// inside its own deadline, so the limit must hold the streams an operator keeps open at once (a
    /// soak with 1,000 held streams turned 744 of them into 504s at the former fixed 256).
    package var upstreamConnections = 1024
    package static let upstreamConnectionsRange = 1...16_384
    /// `LOG_REQUEST_METRICS` (default true).
    package var metricsEnabled = true
    /// `VDM_ACTIVE_REQUESTS_SSE_*`.
    package var activeRequestsStream = ActiveRequestsStreamSettings()
    /// `VDM_SHUTDOWN_GRACE_SECONDS`: how long in-flight requests may take to finish after SIGTERM;
    /// then vdm cuts them (`server_shutdown`, an `event: error` for streams).
    var shutdownGrace: Duration = .seconds(30)

    package static func fromEnvironment(_ env: [String: String]) throws -> ServerSettings {
        var s = ServerSettings()
        if let host = env["HOST"], !host.isEmpty { s.host = host }
        if let raw = env["PORT"], !raw.isEmpty {
            guard let port = Int(raw), (0...65535).contains(port) else { throw ConfigurationError(variable: "PORT", problem: "must be a port number 0–65535") }
            s.port = port
        }
        s.requestTimeout = try seconds(env, "REQUEST_TIMEOUT") ?? s.requestTimeout
        s.streamingConnectTimeout = try seconds(env, "STREAMING_CONNECT_TIMEOUT_SECONDS") ?? s.streamingConnectTimeout
        s.streamingReadTimeout = try seconds(env, "STREAMING_READ_TIMEOUT_SECONDS") ?? s.streamingReadTimeout
        s.shutdownGrace = try seconds(env, "VDM_SHUTDOWN_GRACE_SECONDS") ?? s.shutdownGrace
        if let key = env["PROXY_API_KEY"], !key.isEmpty { s.proxyAPIKey = key }
        if let raw = env["VDM_MAX_REQUEST_BYTES"], !raw.isEmpty {
            guard let n = Int(raw), n > 0 else { throw ConfigurationError(variable: "VDM_MAX_REQUEST_BYTES", problem: "must be a positive number of bytes") }
            s.maxRequestBytes = n
        }
        if let raw = env["VDM_UPSTREAM_CONNECTIONS"], !raw.isEmpty {
            guard let n = Int(raw), upstreamConnectionsRange.contains(n) else {
                throw ConfigurationError(variable: "VDM_UPSTREAM_CONNECTIONS", problem: "must be a whole number from 1 to 16384")
            }
            s.upstreamConnections = n
        }
        if let raw = env["LOG_REQUEST_METRICS"], !raw.isEmpty {
            switch raw.lowercased() {
            case "true", "1", "yes", "on": s.metricsEnabled = true
            case "false", "0", "no", "off": s.metricsEnabled = false
            default: throw ConfigurationError(variable: "LOG_REQUEST_METRICS", problem: "must be true or false")
            }
        }
        s.activeRequestsStream = try ActiveRequestsStreamSettings.fromEnvironment(env)
        return s
    }

    private static func seconds(_ env: [String: String], _ name: String) throws -> Duration? {
        guard let raw = env[name], !raw.isEmpty else { return nil }
        guard let value = Double(raw), value > 0, value < 86_400 else {
            throw ConfigurationError(variable: name, problem: "must be a number of seconds > 0")
        }
        return .milliseconds(Int64(value * 1000))
    }
}
