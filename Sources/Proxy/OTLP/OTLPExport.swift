import Logging
import LogPipeline
import OTel
import ServiceLifecycle

/// OTLP export as `vdm serve` runs it (docs/operations.md, "Exporting to an OpenTelemetry
/// collector"): swift-otel's logs backend behind `OTLPLogSink`, its metrics backend behind
/// `OTLPGenAIMetrics`, no tracing. Their services run in a group of their own, started before the
/// server and stopped after the log sinks are closed, so the last records (the shutdown line) still go.
struct OTLPExport: Sendable {
    let settings: OTLPSettings
    let logSink: OTLPLogSink?
    let metrics: OTLPGenAIMetrics?
    let ledger: OTLPDeliveryLedger
    private let services: [any Service]

    /// How long the final export may take at shutdown before vdm exits anyway.
    static let shutdownLimit: Duration = .seconds(5)

    static func make(settings: OTLPSettings, redactor: Redactor, policy: SinkQueuePolicy) throws -> OTLPExport {
        let ledger = OTLPDeliveryLedger(drops: SinkDropCounter(sink: "otlp"))
        let configuration = Self.configuration(settings, policy: policy, ledger: ledger)
        var services: [any Service] = []
        var sink: OTLPLogSink?
        var metrics: OTLPGenAIMetrics?
        do {
            if settings.logsEndpoint != nil {
                let (factory, service) = try OTel.makeLoggingBackend(configuration: configuration)
                var handler = factory("vdm")
                handler.logLevel = .trace  // the router has filtered by LOG_LEVEL already
                sink = OTLPLogSink(handler: handler, redactor: redactor, policy: policy, ledger: ledger)
                services.append(service)
            }
            if settings.metricsEndpoint != nil {
                let (factory, service) = try OTel.makeMetricsBackend(configuration: configuration)
                metrics = OTLPGenAIMetrics(factory: factory, redactor: redactor)
                services.append(service)
            }
        } catch {
            throw ConfigurationError(variable: "OTEL_EXPORTER_OTLP_ENDPOINT", problem: "swift-otel refused the configuration: \(error)")
        }
        return OTLPExport(settings: settings, logSink: sink, metrics: metrics, ledger: ledger, services: services)
    }

    static func configuration(_ settings: OTLPSettings, policy: SinkQueuePolicy, ledger: OTLPDeliveryLedger) -> OTel.Configuration {
        var c = OTel.Configuration.default
        c.serviceName = settings.serviceName
        c.resourceAttributes = settings.resourceAttributes
        c.diagnosticLogger = .custom(Logger(label: "swift-otel") { _ in OTLPDiagnostics(ledger: ledger) })
        c.traces.enabled = false
        c.logs.enabled = settings.logsEndpoint != nil
        c.metrics.enabled = settings.metricsEndpoint != nil
        var exporter = OTel.Configuration.OTLPExporterConfiguration.default
        exporter.protocol = settings.useJSON ? .httpJSON : .httpProtobuf
        if let endpoint = settings.logsEndpoint {
            c.logs.otlpExporter = exporter
            c.logs.otlpExporter.endpoint = endpoint
            c.logs.otlpExporter.headers = settings.logsHeaders.map { ($0.name, $0.value) }
        }
        if let endpoint = settings.metricsEndpoint {
            c.metrics.otlpExporter = exporter
            c.metrics.otlpExporter.endpoint = endpoint
            c.metrics.otlpExporter.headers = settings.metricsHeaders.map { ($0.name, $0.value) }
        }
        // swift-otel's buffer is as large as the sink's window, so it never drops: the sink's queue does.
        c.logs.batchLogRecordProcessor.maxQueueSize = policy.queueRecords + 1
        c.metrics.exportInterval = settings.metricExportInterval
        c.metrics.valueHistogramBuckets = OTLPGenAIMetrics.buckets
        return c
    }

    /// Connects swift-otel's forwarded warnings to vdm's log (once the router exists).
    func connect(logger: Logger) { ledger.connect(logger: logger) }

    var observer: (@Sendable (TrackerEvent) -> Void)? {
        guard let metrics else { return nil }
        return { metrics.observe($0) }
    }

    /// Runs swift-otel's services until `stop` (no signal handling: the server's group has that).
    func makeGroup(logger: Logger) -> ServiceGroup {
        var configuration = ServiceGroupConfiguration(
            services: services.map { .init(service: $0) }, gracefulShutdownSignals: [], logger: logger)
        configuration.maximumGracefulShutdownDuration = Self.shutdownLimit
        return ServiceGroup(configuration: configuration)
    }

    /// The banner line: where each signal goes (URLs only; headers are never shown).
    var summary: String {
        let logs = settings.logsEndpoint.map { "logs → \($0)" } ?? "logs off"
        let metrics = settings.metricsEndpoint.map { "metrics → \($0) every \(settings.metricExportInterval)" } ?? "metrics off"
        return "OTLP export: \(logs) | \(metrics) | Service: \(settings.serviceName)"
    }
}
