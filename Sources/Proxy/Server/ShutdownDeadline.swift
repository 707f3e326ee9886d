import Hummingbird
import Logging
import ServiceLifecycle

/// Runs the proxy's application and, once a graceful shutdown has begun, ends whatever is still in
/// flight when the grace period runs out: the upstream calls are cut, so each stream ends with an
/// `event: error` and each request with a `server_shutdown` record — not with the process being
/// torn down mid-write and the requests logged as the clients' disconnects.
///
/// The service group's own hard limit must be later than `grace` (`margin`), so that vdm's cut
/// comes first and the error events can still be written.
struct ShutdownDeadline: Service {
    let app: any Service
    let grace: Duration
    let upstream: UpstreamClient
    let logger: Logger

    /// Time left after the cut for the error events to be written and the connections closed.
    static var margin: Duration { .seconds(3) }

    func run() async throws {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await app.run()
                return true
            }
            group.addTask {
                do {
                    try await gracefulShutdown()
                    try await Task.sleep(for: grace)
                } catch {
                    return false  // the application ended first
                }
                logger.warning("Shutdown grace period (\(grace.components.seconds) s) ran out: cutting the requests still running")
                await upstream.abortForShutdown(grace: grace)
                return false
            }
            while let appEnded = try await group.next() {
                if appEnded { group.cancelAll() }
            }
        }
    }
}
