import Foundation
import Journald
import Logging
package import LogPipeline

/// Everything `vdm serve` (and `vdm demo`) builds before listening.
package struct ServeSetup: Sendable {
    package let server: ProxyServer
    package let logs: LogSetup
    /// OTLP export, when an `OTEL_EXPORTER_OTLP_*ENDPOINT` is set (`OTLPSettings`).
    let otlp: OTLPExport?

    /// `adjustLogs` changes the log options last (tests point journald and syslog at sockets that are not
    /// there, to force a fallback); `vdm serve` leaves them as the configuration says.
    package static func make(env: [String: String], host: String? = nil, port: Int? = nil, logJSON: String? = nil, console: Bool = true,
                     logTarget: String? = nil, extraSinks: [any LogSink] = [],
                     adjustLogs: (inout LogSetup.Options) -> Void = { _ in }) throws -> ServeSetup {
        var settings = try ServerSettings.fromEnvironment(env)
        if let host { settings.host = host }
        if let port { settings.port = port }
        let registry = try ProviderRegistry.fromEnvironment(env)
        let (level, levelWarning) = LogLevelSetting.parse(env["LOG_LEVEL"])
        let (interval, intervalWarning) = SummaryIntervalSetting.parse(env["LOG_SUMMARY_INTERVAL"])
        var options = LogSetup.Options()
        options.jsonPath = logJSON ?? env["VDM_LOG_JSON"].flatMap { $0.isEmpty ? nil : $0 }
        options.console = console
        options.level = level
        options.includeOrigin = env["VDM_LOG_ORIGIN"] == "1"
        options.extraSinks = extraSinks
        do { options.queuePolicy = try SinkQueuePolicy.fromEnvironment(env) } catch {
            throw ConfigurationError(variable: error.variable, problem: error.problem)
        }
        if let raw = logTarget ?? env["VDM_LOG_TARGET"], !raw.isEmpty {
            do {
                options.targets = try LogTarget.parseList(raw)
            } catch {
                throw ConfigurationError(variable: logTarget != nil ? "--log-target" : "VDM_LOG_TARGET", problem: error.description)
            }
            if !console { options.targets.removeAll { $0 == .console } }
        }
        let otlpSettings = try OTLPSettings.fromEnvironment(env)
        let (redactor, secretWarnings) = Self.redactor(registry: registry, settings: settings, extra: otlpSettings.secrets)
        options.redactor = redactor
        let otlp = otlpSettings.isEnabled ? try OTLPExport.make(settings: otlpSettings, redactor: redactor, policy: options.queuePolicy) : nil
        if let sink = otlp?.logSink { options.extraSinks.append(sink) }
        adjustLogs(&options)
        let logs = try LogSetup.make(options, warnings: [levelWarning, intervalWarning].compactMap { $0 } + secretWarnings)
        otlp?.connect(logger: logs.logger("vdm.otlp"))
        let server = ProxyServer(settings: settings, registry: registry, logs: logs, summaryInterval: interval, otlp: otlp)
        return ServeSetup(server: server, logs: logs, otlp: otlp)
    }

    /// The redactor for every output, made before any sink: the shape rules plus the exact value of
    /// every configured key, of `PROXY_API_KEY` and of the OTLP header values (`extra`). Values too short
    /// to be matched by value are named (never shown) in a start-up warning.
    package static func redactor(registry: ProviderRegistry, settings: ServerSettings,
                                 extra: [(variable: String, key: String)] = []) -> (Redactor, [String]) {
        var secrets = registry.configuredKeys
        if let proxyKey = settings.proxyAPIKey { secrets.append(("PROXY_API_KEY", proxyKey)) }
        secrets += extra
        let warnings = secrets.filter { !ConfiguredSecrets.isMatchable($0.key) }.map {
            "\($0.variable) is shorter than \(ConfiguredSecrets.minimumLength) bytes: too short to be redacted by value, only by shape"
        }
        return (Redactor(secrets: ConfiguredSecrets(secrets.map { $0.key })), warnings)
    }

    /// Startup lines: through the logger, so they reach every sink (hashed keys only).
    package func printBanner(port: Int) {
        let logger = logs.logger("vdm.startup")
        for warning in logs.warnings { logger.warning("\(warning)") }
        let s = server.settings
        logger.info("vdm listening on http://\(s.host):\(port) | Client API key validation: \(s.proxyAPIKey == nil ? "disabled" : "enabled") | Metrics: \(s.metricsEnabled ? "enabled" : "disabled")")
        logger.info("Logging: \(logs.mode.effective.joined(separator: ", ")) | Instance: \(logs.router.instanceID)")
        if let otlp { logger.info("\(otlp.summary)") }
        for provider in server.registry.providers.values.sorted(by: { $0.name < $1.name }) {
            let marker = provider.name == server.registry.defaultProvider ? " (default)" : ""
            logger.info("Provider \(provider.name)\(marker) | Format: \(provider.format.rawValue) | Base URL: \(provider.baseURL) | Key: \(provider.keyDisplay)")
        }
        for alias in server.registry.aliases.all {
            logger.info("Alias \(alias.variable) | \(alias.provider):\(alias.name) → \(alias.finalProvider):\(alias.finalModel)")
        }
    }
}
