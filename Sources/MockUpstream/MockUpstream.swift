// The mock upstream server used by tests, benchmarks and `vdm demo`: an OpenAI Chat Completions and
// Anthropic Messages look-alike with deterministic replies, fault injection and request recording.
//
// Endpoints:
//   POST /v1/chat/completions (also /chat/completions)   OpenAI format, streaming or not
//   POST /v1/messages                                    Anthropic format, streaming or not
//   POST /v1/messages/count_tokens                       {"input_tokens": N}
//   GET  /mock/stats                                     running totals (MockStatsSnapshot)
//   POST /mock/reset                                     clears totals, recorded requests and the ledger
//   GET  /mock/requests                                  last N requests (MockRecordedRequest list)
//   GET  /mock/requests/last/body                        exact bytes of the last request body
//   GET  /mock/ledger                                    per request: outcome and usage it reported (MockLedger)
//   GET  /health, GET /v1/models
// Directives: see MockDirectives. Token formula: see MockReplyPlan.swift.

package import Hummingbird
package import Logging

/// Where an in-process mock upstream listens.
package struct MockUpstreamHandle: Sendable {
    package var host: String
    package var port: Int
    package var state: MockUpstreamState

    /// `http://host:port` (no trailing slash, no `/v1`).
    package var baseURL: String { "http://\(host):\(port)" }
}

package enum MockUpstream {
    /// `vdm.mock` logger at warning level: the default for in-process use by tests and benchmarks.
    package static var quietLogger: Logger {
        var logger = Logger(label: "vdm.mock")
        logger.logLevel = .warning
        return logger
    }

    /// Builds the mock upstream application. `onServerRunning` receives the bound port (useful when
    /// `port` is 0). The application is a swift-service-lifecycle `Service`: `try await app.run()` runs
    /// it until its task is cancelled, `app.runService()` also stops gracefully on SIGINT/SIGTERM.
    package static func makeApplication(
        host: String = "127.0.0.1",
        port: Int = 0,
        logger: Logger,
        configuration: MockUpstreamConfiguration = MockUpstreamConfiguration(),
        state: MockUpstreamState? = nil,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        makeApplication(
            host: host,
            port: port,
            logger: logger,
            configuration: configuration,
            state: state,
            onListening: { port, _ in await onServerRunning(port) }
        )
    }

    /// As above; `onListening` also gets a closure that closes the listening socket.
    private static func makeApplication(
        host: String,
        port: Int,
        logger: Logger,
        configuration: MockUpstreamConfiguration,
        state: MockUpstreamState?,
        onListening: @escaping @Sendable (Int, _ closeListener: @escaping @Sendable () async -> Void) async -> Void
    ) -> some ApplicationProtocol {
        let state =
            state
            ?? MockUpstreamState(recordLimit: configuration.recordLimit, recordBodyLimit: configuration.recordBodyLimit)
        let responder = MockResponder(state: state, configuration: configuration, logger: logger)
        return Application(
            responder: responder,
            configuration: ApplicationConfiguration(
                address: .hostname(host, port: port),
                serverName: nil,
                backlog: 1024
            ),
            onServerRunning: { channel in
                await onListening(channel.localAddress?.port ?? port) {
                    try? await channel.close()
                }
            },
            logger: logger
        )
    }

    /// Runs the mock upstream until the calling task is cancelled, or gracefully until SIGINT/SIGTERM.
    package static func run(
        host: String,
        port: Int,
        logger: Logger,
        configuration: MockUpstreamConfiguration = MockUpstreamConfiguration(),
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws {
        let app = makeApplication(
            host: host,
            port: port,
            logger: logger,
            configuration: configuration,
            onServerRunning: onServerRunning
        )
        try await app.runService()
    }

    /// Starts a mock upstream on `host` and a free port, runs `body` with its address, then stops it.
    package static func withRunning<Result: Sendable>(
        host: String = "127.0.0.1",
        logger: Logger = MockUpstream.quietLogger,
        configuration: MockUpstreamConfiguration = MockUpstreamConfiguration(),
        _ body: (MockUpstreamHandle) async throws -> Result
    ) async throws -> Result {
        let state = MockUpstreamState(recordLimit: configuration.recordLimit, recordBodyLimit: configuration.recordBodyLimit)
        typealias Listening = (port: Int, close: @Sendable () async -> Void)
        let (listening, continuation) = AsyncStream<Listening>.makeStream()
        let app = makeApplication(
            host: host,
            port: 0,
            logger: logger,
            configuration: configuration,
            state: state,
            onListening: { port, close in
                continuation.yield((port, close))
                continuation.finish()
            }
        )
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { continuation.finish() }
                try await app.run()
            }
            var iterator = listening.makeAsyncIterator()
            guard let server = await iterator.next() else {
                // The server stopped before listening: surface its error.
                try await group.next()
                throw MockUpstreamError.didNotStart
            }
            // Stop accepting first (the accept loop then ends without error), then cancel what is
            // left: idle keep-alive connections and requests still held by `mock:hang`.
            func stop() async {
                await server.close()
                group.cancelAll()
            }
            do {
                let result = try await body(MockUpstreamHandle(host: host, port: server.port, state: state))
                await stop()
                return result
            } catch {
                await stop()
                throw error
            }
        }
    }
}

package enum MockUpstreamError: Error {
    case didNotStart
}
