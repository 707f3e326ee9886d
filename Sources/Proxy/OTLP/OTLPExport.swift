import Logging
import LogPipeline
import OTel
import ServiceLifecycle
import Synchronization

/// OTLP export as `vdm serve` runs it (docs/operations.md, "Exporting to an OpenTelemetry
/// collector"): swift-otel's logs backend behind `OTLPLogSink`, its metrics backend behind
/// `OTLPGenAIMetrics`, no tracing. Their services run in a group of their own (`start`), apart from
/// the server's, and are shut down after the log sinks closed (`shutdown`), so the last records (the
/// shutdown line) and a final metrics export still go.
final class OTLPExport: Sendable {
    let settings: OTLPSettings
    let logSink: OTLPLogSink?
    let metrics: OTLPGenAIMetrics?
    let ledger: OTLPDeliveryLedger
    private let group: ServiceGroup
    private let running = Mutex<Task<Void, Never>?>(nil)

    /// How long swift-otel's services may take to export what they hold at shutdown; then they are
    /// cancelled (an export in flight ends at once), and vdm stops waiting `shutdownMargin` later
    /// whatever they do.
    static let shutdownLimit: Duration = .seconds(5)
    static let shutdownMargin: Duration = .seconds(1)

    private init(settings: OTLPSettings, logSink: OTLPLogSink?, metrics: OTLPGenAIMetrics?, ledger: OTLPDeliveryLedger, group: ServiceGroup) {
        self.settings = settings
        self.logSink = logSink
        self.metrics = metrics
        self.ledger = ledger
        self.group = group
    }

    static func make(settings: OTLPSettings, redactor: Redactor, policy: SinkQueuePolicy) throws -> OTLPExport {
        let ledger = OTLPDeliveryLedger(drops: SinkDropCounter(sink: "otlp"))
        let configuration = Self.configuration(settings, policy: policy, ledger: ledger)
        var services: [any Service] = []
        var sink: OTLPLogSink?
        var metrics: OTLPGenAIMetrics?
        do {
            // Each backend goes into `OTLPKeepAlive` before anything else can fail: it owns an exporter.
            if settings.metricsEndpoint != nil {
                let (factory, service) = try OTel.makeMetricsBackend(configuration: configuration)
                OTLPKeepAlive.hold(service)
                metrics = OTLPGenAIMetrics(factory: factory, redactor: redactor)
                services.append(service)
            }
            if settings.logsEndpoint != nil {
                let (factory, service) = try OTel.makeLoggingBackend(configuration: configuration)
                OTLPKeepAlive.hold(service)
                var handler = factory("vdm")
                OTLPKeepAlive.hold(handler)
                handler.logLevel = .trace  // the router has filtered by LOG_LEVEL already
                sink = OTLPLogSink(handler: handler, redactor: redactor, policy: policy, ledger: ledger)
                // Last: a service group stops its services in reverse order, so the records are exported
                // before the final metrics export, each within the shutdown limit.
                services.append(service)
            }
        } catch {
            throw ConfigurationError(variable: "OTEL_EXPORTER_OTLP_ENDPOINT", problem: "swift-otel refused the configuration: \(error)")
        }
        // No signals: the server's group has them and stops this one after the sinks (`shutdown`).
        var groupConfiguration = ServiceGroupConfiguration(
            services: services.map { .init(service: $0) }, gracefulShutdownSignals: [], logger: OTLPDiagnostics.logger(ledger))
        groupConfiguration.maximumGracefulShutdownDuration = shutdownLimit
        return OTLPExport(settings: settings, logSink: sink, metrics: metrics, ledger: ledger,
                          group: ServiceGroup(configuration: groupConfiguration))
    }

    static func configuration(_ settings: OTLPSettings, policy: SinkQueuePolicy, ledger: OTLPDeliveryLedger) -> OTel.Configuration {
        var c = OTel.Configuration.default
        c.serviceName = settings.serviceName
        c.resourceAttributes = settings.resourceAttributes
        c.diagnosticLogger = .custom(OTLPDiagnostics.logger(ledger))
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

    /// Runs swift-otel's services (once; before the server listens, so its first records go too).
    func start() {
        running.withLock { task in
            guard task == nil else { return }
            let group = group
            // Off the event loops (`OTLPExecutor`); a service's failure: swift-otel logged it (OTLPDiagnostics).
            task = Task(executorPreference: OTLPExecutor.shared) { try? await group.run() }
        }
    }

    /// After the log sinks closed, so every record has been handed over: swift-otel's services shut down
    /// gracefully — the batch processor exports what it holds, the metrics reader makes its final export,
    /// each exporter closes its HTTP client with the async `shutdown()` — within `shutdownLimit`, then they
    /// are cancelled. Returns whether they finished within `shutdownLimit + shutdownMargin`; if not, the
    /// process exits without them (their objects are in `OTLPKeepAlive`: no deinit runs either way).
    @discardableResult
    func shutdown() async -> Bool {
        guard let task = running.withLock({ $0 }) else { return true }
        await group.triggerGracefulShutdown()
        return await TaskWait.finished(task, within: Self.shutdownLimit + Self.shutdownMargin)
    }

    /// The banner line: where each signal goes (URLs only; headers are never shown).
    var summary: String {
        let logs = settings.logsEndpoint.map { "logs → \($0)" } ?? "logs off"
        let metrics = settings.metricsEndpoint.map { "metrics → \($0) every \(settings.metricExportInterval)" } ?? "metrics off"
        return "OTLP export: \(logs) | \(metrics) | Service: \(settings.serviceName)"
    }
}
