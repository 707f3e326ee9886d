import Hummingbird
import Logging
import LogPipeline

/// The read-only views of the tracker under `/metrics`. With `PROXY_API_KEY` set they all require
/// it — as `x-api-key`, `Authorization: Bearer`, or `?key=` (a browser's EventSource cannot send
/// headers). `/health` stays open.
struct MetricsRoutes: Sendable {
    let runningTotals: RunningTotalsHandler
    let activeRequests: ActiveRequestsHandler
    let stream: ActiveRequestsStream
    let logs: MetricsLogsHandler
    let prometheus: PrometheusHandler

    func register(on router: Router<ProxyRequestContext>, proxyAPIKey: String?, authLogger: Logger, redactor: Redactor) {
        let group = router.group("/metrics")
        if let key = proxyAPIKey {
            group.add(middleware: AuthMiddleware(key: key, logger: authLogger, redactor: redactor, allowQueryKey: true))
        }
        let (runningTotals, activeRequests, stream, logs, prometheus) = (runningTotals, activeRequests, stream, logs, prometheus)
        group.get { _, _ in prometheus.handle() }
        group.get("/running-totals") { request, _ in await runningTotals.handle(request) }
        group.get("/active-requests") { _, _ in await activeRequests.handle() }
        group.get("/active-requests/stream") { request, _ in stream.handle(request) }
        group.get("/logs") { request, _ in await logs.handle(request) }
    }
}
