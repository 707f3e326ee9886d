import Foundation

/// OTLP export, from the standard OpenTelemetry variables, validated at start-up like the rest of the
/// configuration (a bad value is exit 78 with the variable named). Off unless an endpoint is set.
///
/// Read here: `OTEL_SDK_DISABLED`, `OTEL_EXPORTER_OTLP_ENDPOINT` (base URL; `/v1/logs`, `/v1/metrics`
/// appended), `OTEL_EXPORTER_OTLP_LOGS_ENDPOINT` / `..._METRICS_ENDPOINT` (full URLs, each enables its
/// signal), `OTEL_EXPORTER_OTLP_HEADERS` (and the per-signal `_LOGS_HEADERS` / `_METRICS_HEADERS`),
/// `OTEL_EXPORTER_OTLP_PROTOCOL` (only `http/protobuf` and `http/json`: gRPC is not built in),
/// `OTEL_LOGS_EXPORTER` / `OTEL_METRICS_EXPORTER` (`otlp` or `none`), `OTEL_SERVICE_NAME`,
/// `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_METRIC_EXPORT_INTERVAL` (ms). swift-otel reads the same variables
/// (and its other `OTEL_*` tuning ones) itself; what it reads here has passed these checks first.
/// Header values are secrets: `secrets` hands them to the configured-secrets redaction.
struct OTLPSettings: Sendable, Equatable {
    var logsEndpoint: String?
    var metricsEndpoint: String?
    var logsHeaders: [Header] = []
    var metricsHeaders: [Header] = []
    var useJSON = false
    var serviceName = "vandamme-proxy"
    var resourceAttributes: [String: String] = [:]
    var metricExportInterval: Duration = .seconds(60)

    struct Header: Sendable, Equatable {
        var name: String
        var value: String
    }

    var isEnabled: Bool { logsEndpoint != nil || metricsEndpoint != nil }

    /// Every header value, for `ConfiguredSecrets` (named by the variable it came from).
    var secrets: [(variable: String, key: String)] {
        logsHeaders.map { ("OTEL_EXPORTER_OTLP_HEADERS", $0.value) } + metricsHeaders.map { ("OTEL_EXPORTER_OTLP_HEADERS", $0.value) }
    }

    // Bounds on what an operator's variables may hold: generous, but no unbounded string is kept.
    static let maxURLBytes = 2048
    static let maxListBytes = 8192
    static let maxListItems = 64
    static let maxServiceNameBytes = 256
    static let exportIntervalMillis = 100...86_400_000

    static func fromEnvironment(_ env: [String: String]) throws -> OTLPSettings {
        var s = OTLPSettings()
        if let raw = value(env, "OTEL_SDK_DISABLED") {
            guard let disabled = BooleanSetting.parse(raw) else {
                throw ConfigurationError(variable: "OTEL_SDK_DISABLED", problem: "must be true or false")
            }
            if disabled { return OTLPSettings() }
        }
        let base = try url(env, "OTEL_EXPORTER_OTLP_ENDPOINT")
        let logsOn = try exporterEnabled(env, "OTEL_LOGS_EXPORTER")
        let metricsOn = try exporterEnabled(env, "OTEL_METRICS_EXPORTER")
        if logsOn { s.logsEndpoint = try url(env, "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT") ?? base.map { Self.join($0, "v1/logs") } }
        if metricsOn { s.metricsEndpoint = try url(env, "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT") ?? base.map { Self.join($0, "v1/metrics") } }
        // As swift-otel reads them: a per-signal list replaces the common one whole.
        let common = try headers(env, "OTEL_EXPORTER_OTLP_HEADERS")
        s.logsHeaders = try env["OTEL_EXPORTER_OTLP_LOGS_HEADERS"] == nil ? common : headers(env, "OTEL_EXPORTER_OTLP_LOGS_HEADERS")
        s.metricsHeaders = try env["OTEL_EXPORTER_OTLP_METRICS_HEADERS"] == nil ? common : headers(env, "OTEL_EXPORTER_OTLP_METRICS_HEADERS")
        for header in s.logsHeaders + s.metricsHeaders where !Self.isToken(header.name) {
            throw ConfigurationError(variable: "OTEL_EXPORTER_OTLP_HEADERS", problem: "'\(header.name.prefix(40))' is not an HTTP header name")
        }
        for header in s.logsHeaders + s.metricsHeaders where header.value.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) {
            // Never echo the value: it is a secret.
            throw ConfigurationError(variable: "OTEL_EXPORTER_OTLP_HEADERS", problem: "the value of \(header.name) holds a control character")
        }
        for variable in ["OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL", "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL"] {
            guard let raw = value(env, variable) else { continue }
            switch raw {
            case "http/protobuf": break
            case "http/json": s.useJSON = true
            default:
                throw ConfigurationError(variable: variable, problem: "must be http/protobuf or http/json (gRPC is not built into vdm; got '\(raw.prefix(40))')")
            }
        }
        if let name = value(env, "OTEL_SERVICE_NAME") {
            guard name.utf8.count <= maxServiceNameBytes else {
                throw ConfigurationError(variable: "OTEL_SERVICE_NAME", problem: "longer than \(maxServiceNameBytes) bytes")
            }
            s.serviceName = name
        }
        s.resourceAttributes = Dictionary(try pairs(env, "OTEL_RESOURCE_ATTRIBUTES"), uniquingKeysWith: { $1 })
        if let raw = value(env, "OTEL_METRIC_EXPORT_INTERVAL") {
            guard let millis = Int(raw), exportIntervalMillis.contains(millis) else {
                throw ConfigurationError(variable: "OTEL_METRIC_EXPORT_INTERVAL",
                                         problem: "must be whole milliseconds from \(exportIntervalMillis.lowerBound) to \(exportIntervalMillis.upperBound)")
            }
            s.metricExportInterval = .milliseconds(millis)
        }
        return s
    }

    private static func value(_ env: [String: String], _ name: String) -> String? {
        guard let raw = env[name]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
        return raw
    }

    private static func exporterEnabled(_ env: [String: String], _ name: String) throws -> Bool {
        switch value(env, name) {
        case nil, "otlp": return true
        case "none": return false
        case let other?:
            throw ConfigurationError(variable: name, problem: "must be otlp or none (got '\(other.prefix(40))')")
        }
    }

    /// An absolute http(s) URL with a host and no credentials (those belong in the headers, which are redacted).
    private static func url(_ env: [String: String], _ name: String) throws -> String? {
        guard let raw = value(env, name) else { return nil }
        guard raw.utf8.count <= maxURLBytes else {
            throw ConfigurationError(variable: name, problem: "longer than \(maxURLBytes) bytes")
        }
        guard let parts = URLComponents(string: raw), let scheme = parts.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = parts.host, !host.isEmpty
        else {
            throw ConfigurationError(variable: name, problem: "must be an http:// or https:// URL with a host (got '\(raw.prefix(80))')")
        }
        guard parts.user == nil && parts.password == nil else {
            throw ConfigurationError(variable: name, problem: "must not hold credentials: put them in OTEL_EXPORTER_OTLP_HEADERS")
        }
        if let port = parts.port, !(1...65_535).contains(port) {
            throw ConfigurationError(variable: name, problem: "port \(port) is out of 1…65535")
        }
        return raw
    }

    private static func join(_ base: String, _ path: String) -> String {
        base.hasSuffix("/") ? base + path : base + "/" + path
    }

    private static func headers(_ env: [String: String], _ name: String) throws -> [Header] {
        try pairs(env, name).map { Header(name: $0.key, value: $0.value) }
    }

    /// `key=value,key=value` (the list the OTel spec uses), split at the first `=` and trimmed, values
    /// taken as written: swift-otel sends them so (it does not %-decode), so the redaction must match them so.
    private static func pairs(_ env: [String: String], _ name: String) throws -> [(key: String, value: String)] {
        guard let raw = value(env, name) else { return [] }
        guard raw.utf8.count <= maxListBytes else {
            throw ConfigurationError(variable: name, problem: "longer than \(maxListBytes) bytes")
        }
        var result: [(key: String, value: String)] = []
        for item in raw.split(separator: ",", omittingEmptySubsequences: true) {
            guard result.count < maxListItems else {
                throw ConfigurationError(variable: name, problem: "more than \(maxListItems) entries")
            }
            guard let eq = item.firstIndex(of: "=") else {
                throw ConfigurationError(variable: name, problem: "entry \(result.count + 1) is not key=value")
            }
            let key = item[..<eq].trimmingCharacters(in: .whitespaces)
            let rawValue = item[item.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty, !rawValue.isEmpty else {
                throw ConfigurationError(variable: name, problem: "entry \(result.count + 1) has an empty key or value")
            }
            result.append((key, rawValue))
        }
        return result
    }

    /// RFC 9110 token characters.
    private static func isToken(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || "!#$%&'*+-.^_`|~".utf8.contains(c)
        }
    }
}
