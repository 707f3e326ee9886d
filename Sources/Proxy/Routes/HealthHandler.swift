import HTTPTypes
import Hummingbird
import LogPipeline
import NIOCore

/// `GET /health`: YAML like the original's, with hashed keys and the logging mode actually in effect;
/// `?format=json` gives the same fields as JSON (`HealthJSON`).
struct HealthHandler: Sendable {
    let registry: ProviderRegistry
    let settings: ServerSettings
    let logging: LoggingMode
    let redactor: Redactor

    func handle(_ request: Request) -> Response {
        let now = WallClock.nowMicros()
        let format: TotalsFormat
        do {
            format = try MetricsQuery(request).totalsFormat()
        } catch {
            return AnthropicErrorResponse.make(error, redactor: redactor)
        }
        switch format {
        case .json: return ActiveRequestsHandler.json(HealthJSON.render(registry: registry, settings: settings, logging: logging, generatedMicros: now))
        case .yaml: return yaml(generatedMicros: now)
        }
    }

    private func yaml(generatedMicros: Int64) -> Response {
        var out = "# Health Check Report\n# Generated: \(WallClock.iso8601(micros: generatedMicros))\n#\n"
        out += "status: healthy\n"
        out += "default_provider: \(YAMLText.scalar(registry.defaultProvider))\n"
        out += "client_api_key_validation: \(settings.proxyAPIKey != nil)\n"
        out += "metrics_enabled: \(settings.metricsEnabled)\n"
        out += "logging:\n"
        out += "  requested: [\(logging.requested.map(YAMLText.scalar).joined(separator: ", "))]\n"
        out += "  effective: [\(logging.effective.map(YAMLText.scalar).joined(separator: ", "))]\n"
        out += "providers:\n"
        for provider in registry.providers.values.sorted(by: { $0.name < $1.name }) {
            out += "  \(YAMLText.scalar(provider.name)):\n"
            out += "    api_format: \(provider.format.rawValue)\n"
            out += "    base_url: \(YAMLText.scalar(provider.baseURL))\n"
            out += "    auth_mode: \(provider.isPassthrough ? "passthrough" : "api_key")\n"
            out += "    api_key_hash: \(YAMLText.scalar(provider.keyDisplay))\n"
        }
        return Response(status: .ok, headers: [.contentType: "text/yaml; charset=utf-8", .cacheControl: "no-cache"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: out)))
    }
}
