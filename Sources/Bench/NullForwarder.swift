import AsyncHTTPClient
import Hummingbird
import Logging
import NIOCore

/// `vdm bench forwarder`: the floor the proxy benchmark measures vdm against. The same stack as
/// `vdm serve` (a Hummingbird 2 server, AsyncHTTPClient to the upstream, jobs on the event loops)
/// forwarding each POST body unchanged to one upstream URL and its reply body back, with nothing
/// else: no parsing, conversion, tracking or logging. Latency it adds is the stack's, not vdm's.
/// `POST /forward` collects the reply whole; `POST /forward-stream` relays it chunk by chunk as it
/// arrives (the floor of a streamed SSE reply).
package enum NullForwarder {
    /// `signals`: stop gracefully on SIGTERM/SIGINT (the command); without, it stops when its task is
    /// cancelled (tests).
    package static func run(host: String, port: Int, upstream: String, signals: Bool = true) async throws {
        // Configured as vdm's UpstreamClient is where it matters for speed (pool, no tracing spans).
        var configuration = HTTPClient.Configuration(connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 256))
        configuration.decompression = .disabled
        configuration.tracing.tracer = nil
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let router = Router()
        @Sendable func send(_ request: Request) async throws -> HTTPClientResponse {
            let body = try await request.body.collect(upTo: 1 << 20)
            var outbound = HTTPClientRequest(url: upstream)
            outbound.method = .POST
            outbound.headers.add(name: "content-type", value: "application/json")
            outbound.body = .bytes(body)
            return try await client.execute(outbound, timeout: .seconds(30))
        }
        router.post("/forward") { request, _ -> Response in
            let response = try await send(request)
            let reply = try await response.body.collect(upTo: 1 << 20)
            return Response(status: .init(code: Int(response.status.code)), headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: reply))
        }
        router.post("/forward-stream") { request, _ -> Response in
            let response = try await send(request)
            return Response(status: .init(code: Int(response.status.code)), headers: [.contentType: "text/event-stream"],
                            body: .init(asyncSequence: response.body))
        }
        var logger = Logger(label: "vdm.bench.forwarder")
        logger.logLevel = .warning
        let app = Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: nil, backlog: 1024),
                              logger: logger)
        do {
            if signals { try await app.runService() } else { try await app.run() }
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }
}
