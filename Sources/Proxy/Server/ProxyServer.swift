import Foundation
package import Hummingbird
import Logging
package import LogPipeline
import NIOCore
import ServiceLifecycle

/// The proxy's HTTP application: routes, middleware, and the shared tracker and upstream client.
package struct ProxyServer: Sendable {
    let settings: ServerSettings
    package let registry: ProviderRegistry
    package let logs: LogSetup
    package let tracker: RequestTracker
    package let upstream: UpstreamClient
    let exporter: MetricsExporter
    package let activeRequestsStream: ActiveRequestsStream
    let otlp: OTLPExport?

    package init(settings: ServerSettings, registry: ProviderRegistry, logs: LogSetup, summaryInterval: Int) {
        self.init(settings: settings, registry: registry, logs: logs, summaryInterval: summaryInterval, otlp: nil)
    }

    init(settings: ServerSettings, registry: ProviderRegistry, logs: LogSetup, summaryInterval: Int, otlp: OTLPExport?) {
        self.settings = settings
        self.registry = registry
        self.logs = logs
        let exporter = MetricsExporter(redactor: logs.redactor)
        self.exporter = exporter
        self.otlp = otlp
        self.tracker = RequestTracker(logger: logs.logger("vdm.request"), configuration: .init(summaryInterval: summaryInterval),
                                      observers: [{ exporter.observe($0) }] + [otlp?.observer].compactMap { $0 })
        self.activeRequestsStream = ActiveRequestsStream(tracker: tracker, settings: settings.activeRequestsStream, metricsEnabled: settings.metricsEnabled)
        self.upstream = UpstreamClient.make(settings: settings, logger: logs.logger("AsyncHTTPClient"))
    }

    func makeRouter() -> Router<ProxyRequestContext> {
        let router = Router(context: ProxyRequestContext.self)
        router.add(middleware: CorrelationMiddleware(redactor: logs.redactor))
        let proxyLogger = logs.logger("vdm.proxy")
        router.add(middleware: ErrorEnvelopeMiddleware(logger: proxyLogger, redactor: logs.redactor))
        let messages = MessagesHandler(registry: registry, settings: settings, tracker: tracker, upstream: upstream, logger: proxyLogger,
                                       redactor: logs.redactor)
        let countTokens = CountTokensHandler(registry: registry, settings: settings, upstream: upstream, logger: proxyLogger, redactor: logs.redactor)
        let health = HealthHandler(registry: registry, settings: settings, logging: logs.mode, redactor: logs.redactor)

        let models = ModelsHandler(registry: registry, redactor: logs.redactor)
        let telemetry = ClientTelemetryHandler(exporter: exporter, logger: proxyLogger, maxBytes: settings.maxRequestBytes)

        router.get("/health") { request, _ in health.handle(request) }
        DashboardRoutes.register(on: router)
        router.get("/") { _, _ in RootHandler.handle() }
        router.head("/") { _, _ in RootHandler.handle() }
        // Outside /v1 and its key check: nothing is served or forwarded, and a missing key would
        // turn each telemetry post into a WARNING line.
        for path in ClientTelemetryHandler.paths {
            router.post(RouterPath(path)) { request, _ in await telemetry.handle(request) }
        }
        let v1 = router.group("/v1")
        if let key = settings.proxyAPIKey {
            v1.add(middleware: AuthMiddleware(key: key, logger: logs.logger("vdm.auth"), redactor: logs.redactor))
        }
        v1.post("/messages") { request, context in
            await ClientConnectionWatch.run(on: context.channel) { await messages.handle(request) }
        }
        v1.post("/messages/count_tokens") { request, context in
            await ClientConnectionWatch.run(on: context.channel) { await countTokens.handle(request) }
        }
        v1.get("/models") { request, _ in models.handle(request) }
        metricsRoutes.register(on: router, proxyAPIKey: settings.proxyAPIKey, authLogger: logs.logger("vdm.auth"), redactor: logs.redactor)
        return router
    }

    var metricsRoutes: MetricsRoutes {
        MetricsRoutes(
            runningTotals: RunningTotalsHandler(tracker: tracker, metricsEnabled: settings.metricsEnabled, redactor: logs.redactor),
            activeRequests: ActiveRequestsHandler(tracker: tracker, metricsEnabled: settings.metricsEnabled),
            stream: activeRequestsStream,
            logs: MetricsLogsHandler(tracker: tracker, logging: logs.mode, redactor: logs.redactor),
            prometheus: PrometheusHandler(exporter: exporter, logs: logs))
    }

    package func makeApplication(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        Application(
            router: makeRouter(),
            server: .http1(configuration: .init(additionalChannelHandlers: [HTTPParseErrorHandler(), ClientEOFHandler()])),
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "vdm"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: logs.logger("Hummingbird"))
    }

    /// The application, with the shutdown deadline that ends what is still in flight after `shutdownGrace`.
    func makeService(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> ShutdownDeadline {
        ShutdownDeadline(app: makeApplication(onRunning: onRunning), grace: settings.shutdownGrace, upstream: upstream,
                         logger: logs.logger("vdm.lifecycle"))
    }

    /// The service group's hard limit: vdm's own cut at `shutdownGrace`, plus time to write the errors.
    var hardShutdownLimit: Duration { settings.shutdownGrace + ShutdownDeadline.margin }

    /// Serves until SIGTERM/SIGINT, lets in-flight requests finish (bounded by `shutdownGrace`, then
    /// cut as `server_shutdown`), then shuts the upstream client down, closes every log sink and shuts
    /// the OTLP export down (`OTLPExport.shutdown`, bounded).
    /// SIGHUP reopens the log files meanwhile (`LogReopenSignal`).
    package func run(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let reopenOnHangUp = LogReopenSignal(logs: logs)
        defer { reopenOnHangUp.cancel() }
        let app = makeService(onRunning: onRunning)
        var configuration = ServiceGroupConfiguration(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logs.logger("vdm.lifecycle"))
        configuration.maximumGracefulShutdownDuration = hardShutdownLimit
        let group = ServiceGroup(configuration: configuration)
        // swift-otel's services outlive the server's group: the records of its shutdown still go out.
        otlp?.start()
        do {
            try await group.run()
        } catch {
            await upstream.shutdown()
            logs.close()
            await otlp?.shutdown()
            throw error
        }
        let logger = logs.logger("vdm.lifecycle")
        let (active, completed) = (await tracker.activeCount, await tracker.completedCount)
        logger.info("Shutdown complete | Requests in flight: \(active) | Completed: \(completed)")
        await upstream.shutdown()
        // The sinks first (the OTLP one hands every queued record to swift-otel), then swift-otel's
        // services (they export what they hold and close their HTTP clients), both bounded.
        logs.close()
        await otlp?.shutdown()
    }
}
