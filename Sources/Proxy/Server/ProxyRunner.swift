import Hummingbird
import ServiceLifecycle
import Logging
package import LogPipeline

/// Where an in-process proxy listens (for `vdm demo`, tests and benchmarks).
package struct ProxyHandle: Sendable {
    package var host: String
    package var port: Int
    package var server: ProxyServer
    /// Begins the graceful shutdown `vdm serve` gets on SIGTERM (the runner waits for it to end).
    package var beginShutdown: @Sendable () async -> Void = {}
    /// Returns when the proxy has stopped serving (a stop signal, or `beginShutdown`).
    package var untilStopped: @Sendable () async -> Void = {}

    package var baseURL: String { "http://\(host):\(port)" }
    package var tracker: RequestTracker { server.tracker }
}

package enum ProxyRunnerError: Error {
    case didNotStart
}

package enum ProxyRunner {
    /// Starts the proxy on a free port, runs `body`, then stops it and flushes the logs. It does not
    /// close them: a record or two can still arrive from tasks that outlive the server (the demo
    /// compares every output afterwards), so the caller closes when it is done (`LogSetup.close()`).
    /// `stopOnSignals`: SIGINT and SIGTERM begin the same graceful shutdown while `body` runs.
    package static func withRunning<Result: Sendable>(
        _ server: ProxyServer,
        stopOnSignals: Bool = false,
        _ body: (ProxyHandle) async throws -> Result
    ) async throws -> Result {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = server.makeService { port in
            continuation.yield(port)
            continuation.finish()
        }
        // A ServiceGroup, so stopping is the same graceful shutdown SIGTERM gives `vdm serve`.
        var configuration = ServiceGroupConfiguration(services: [app], gracefulShutdownSignals: stopOnSignals ? [.sigint, .sigterm] : [], logger: server.logs.logger("vdm.lifecycle"))
        configuration.maximumGracefulShutdownDuration = server.hardShutdownLimit
        let services = ServiceGroup(configuration: configuration)
        defer { server.logs.flush() }
        let result: Result
        do {
            result = try await runGroup(server, services: services, ports: ports, continuation: continuation, body)
        } catch {
            await server.upstream.shutdown()
            throw error
        }
        await server.upstream.shutdown()
        return result
    }

    private static func runGroup<Result: Sendable>(
        _ server: ProxyServer, services: ServiceGroup, ports: AsyncStream<Int>, continuation: AsyncStream<Int>.Continuation,
        _ body: (ProxyHandle) async throws -> Result
    ) async throws -> Result {
        let (stopped, stoppedContinuation) = AsyncStream<Never>.makeStream()
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer {
                    continuation.finish()
                    stoppedContinuation.finish()
                }
                try await services.run()
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else {
                try await group.next()
                throw ProxyRunnerError.didNotStart
            }
            let handle = ProxyHandle(host: server.settings.host, port: port, server: server,
                                     beginShutdown: { await services.triggerGracefulShutdown() },
                                     untilStopped: { for await _ in stopped {} })
            do {
                let result = try await body(handle)
                await services.triggerGracefulShutdown()
                try await group.waitForAll()
                return result
            } catch {
                await services.triggerGracefulShutdown()
                group.cancelAll()
                throw error
            }
        }
    }
}
