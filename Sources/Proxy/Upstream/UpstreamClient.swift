import AsyncHTTPClient
import Foundation
import Logging
import LogPipeline
import NIOCore
import NIOHTTP1

/// Calls upstream providers over AsyncHTTPClient and classifies transport failures into the
/// error taxonomy. Logs through a logger labelled `AsyncHTTPClient` (its INFO chatter is relabelled
/// DEBUG by the downgrade filter; the task-local correlation id rides along on every line).
struct UpstreamClient: Sendable {
    let http: HTTPClient
    let logger: Logger

    static func make(settings: ServerSettings, logger: Logger) -> UpstreamClient {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .nanoseconds(settings.streamingConnectTimeout.nanoseconds),
                                      read: .nanoseconds(settings.streamingReadTimeout.nanoseconds))
        configuration.decompression = .disabled
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 256)
        configuration.httpVersion = .automatic
        // vdm's record of a call is its log lines; AsyncHTTPClient's span attributes, built even for the
        // no-op tracer, were ~5% of the proxy's CPU per request (perf, docs/BENCHMARKS.md).
        configuration.tracing.tracer = nil
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration, backgroundActivityLogger: logger)
        return UpstreamClient(http: http, logger: logger)
    }

    func shutdown() async {
        try? await http.shutdown()
    }

    /// Sends a POST and returns once the response head has arrived; the body streams afterwards.
    func post(url: String, headers: [(String, String)], body: [UInt8], deadline: Duration, provider: String) async throws(ProxyError) -> HTTPClientResponse {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.headers.replaceOrAdd(name: "content-length", value: String(body.count))
        request.body = .bytes(ByteBuffer(bytes: body))
        // AsyncHTTPClient logs from its event loop, outside our task, where the task-local id is not
        // visible: so the id also travels as logger metadata.
        var requestLogger = logger
        if let id = CorrelationContext.current?.id {
            requestLogger[metadataKey: CorrelationContext.metadataKey] = .string(id)
        }
        do {
            return try await http.execute(request, timeout: .nanoseconds(deadline.nanoseconds), logger: requestLogger)
        } catch {
            throw Self.classify(error, provider: provider)
        }
    }

    /// Collects a body up to `limit` bytes (upstream error bodies, non-streaming responses).
    static func collect(_ response: HTTPClientResponse, limit: Int, provider: String) async throws(ProxyError) -> [UInt8] {
        do {
            var buffer = try await response.body.collect(upTo: limit)
            return buffer.readBytes(length: buffer.readableBytes) ?? []
        } catch {
            throw classify(error, provider: provider)
        }
    }

    /// `midStream`: the response had started, so anything but a timeout is the stream breaking.
    static func classify(_ error: any Error, provider: String, midStream: Bool = false) -> ProxyError {
        if let proxy = error as? ProxyError { return proxy }
        if error is CancellationError { return .clientDisconnected }
        if let client = error as? HTTPClientError {
            switch client {
            case .deadlineExceeded, .readTimeout, .writeTimeout, .getConnectionFromPoolTimeout:
                return .upstreamTimeout(provider: provider)
            case .connectTimeout, .tlsHandshakeTimeout:
                return .upstreamConnect(provider: provider, "connect timeout")
            case .cancelled:
                return .clientDisconnected
            case .remoteConnectionClosed:
                return .streamFailed("Upstream '\(provider)' closed the connection early")
            default:
                return .upstreamConnect(provider: provider, String(describing: client))
            }
        }
        if midStream {
            return .streamFailed("Upstream '\(provider)' stream broke: \(error)")
        }
        if error is NIOTooManyBytesError {
            return .badUpstreamResponse(provider: provider, "response too large")
        }
        let name = String(reflecting: type(of: error))
        if name.contains("Connect") || name.contains("IOError") || name.contains("ChannelError") || name.contains("SSL") {
            return .upstreamConnect(provider: provider, String(describing: error))
        }
        return .internalError("Upstream '\(provider)': \(error)")
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let c = components
        return c.seconds * 1_000_000_000 + c.attoseconds / 1_000_000_000
    }
}
