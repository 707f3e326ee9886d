import Hummingbird
import Logging

/// Runs a test-local Hummingbird router on an ephemeral loopback port for the duration of `body`,
/// which gets the port; the server stops when `body` returns or throws.
enum LoopbackApp {
    static func with<T: Sendable>(_ router: Router<BasicRequestContext>, label: String, _ body: @Sendable (Int) async throws -> T) async throws -> T {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) },
                              logger: Logger(label: label) { _ in SwiftLogNoOpLogHandler() })
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await app.run()
                return nil
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw TestFailure("\(label) did not start") }
            defer { group.cancelAll() }
            return try await body(port)
        }
    }
}
