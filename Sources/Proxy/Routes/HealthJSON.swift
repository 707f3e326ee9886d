import LogPipeline

/// `GET /health?format=json`: the YAML report's fields as one JSON object, for the dashboard.
/// Keys: `status`, `generated`, `default_provider`, `client_api_key_validation`, `metrics_enabled`,
/// `logging` (as `/metrics/logs`), `providers` (sorted by name, keys as their short hash only).
enum HealthJSON {
    static func render(registry: ProviderRegistry, settings: ServerSettings, logging: LoggingMode, generatedMicros: Int64) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512 + registry.providers.count * 192)
        out.append(contentsOf: #"{"status":"healthy","generated":""#.utf8)
        WallClock.appendISO8601(micros: generatedMicros, to: &out)
        out.append(contentsOf: #"","#.utf8)
        JSONBytes.appendField("default_provider", registry.defaultProvider, to: &out)
        out.append(UInt8(ascii: ","))
        JSONBytes.appendField("client_api_key_validation", settings.proxyAPIKey != nil, to: &out)
        out.append(UInt8(ascii: ","))
        JSONBytes.appendField("metrics_enabled", settings.metricsEnabled, to: &out)
        out.append(UInt8(ascii: ","))
        JSONBytes.appendKey("logging", to: &out)
        MetricsLogsHandler.appendLogging(logging, to: &out)
        out.append(contentsOf: #","providers":["#.utf8)
        for (i, provider) in registry.providers.values.sorted(by: { $0.name < $1.name }).enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "{"))
            JSONBytes.appendField("name", provider.name, to: &out)
            out.append(UInt8(ascii: ","))
            JSONBytes.appendField("default", provider.name == registry.defaultProvider, to: &out)
            out.append(UInt8(ascii: ","))
            JSONBytes.appendField("api_format", provider.format.rawValue, to: &out)
            out.append(UInt8(ascii: ","))
            JSONBytes.appendField("base_url", provider.baseURL, to: &out)
            out.append(UInt8(ascii: ","))
            JSONBytes.appendField("auth_mode", provider.isPassthrough ? "passthrough" : "api_key", to: &out)
            out.append(UInt8(ascii: ","))
            JSONBytes.appendField("api_key_hash", provider.keyDisplay, to: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(contentsOf: "]}".utf8)
        return out
    }
}
