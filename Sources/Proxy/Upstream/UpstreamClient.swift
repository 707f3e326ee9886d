import AsyncHTTPClient
import Foundation
import Logging
import LogPipeline
import NIOCore
import NIOHTTP1

/// Calls upstream providers over AsyncHTTPClient and classifies transport failures into the
/// error taxonomy. Logs through a logger labelled `AsyncHTTPClient` (its INFO chatter is relabelled
/// DEBUG by the downgrade filter; the task-local correlation id rides along on every line).
package struct UpstreamClient: Sendable {
    let http: HTTPClient
    let logger: Logger
    /// Set when the shutdown grace period ran out and vdm cut the upstream calls still running, so
    /// that their failures are named `server_shutdown`, not the client's disconnect.
    let shutdownState = ShutdownState()

    static func make(settings: ServerSettings, logger: Logger) -> UpstreamClient {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .nanoseconds(settings.streamingConnectTimeout.nanoseconds),
                                      read: .nanoseconds(settings.streamingReadTimeout.nanoseconds))
        configuration.decompression = .disabled
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: settings.upstreamConnections)
        // AsyncHTTPClient retries a failed connect with backoff until the connect timeout, so a refused
        // connection took the whole STREAMING_CONNECT_TIMEOUT_SECONDS (30 s) to become a 502. Fail fast:
        // the client (Claude Code, the SDKs) retries 5xx with its own backoff, and vdm names the cause.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.httpVersion = .automatic
        // vdm's record of a call is its log lines; AsyncHTTPClient's span attributes, built even for the
        // no-op tracer, were ~5% of the proxy's CPU per request (perf, docs/BENCHMARKS.md).
        configuration.tracing.tracer = nil
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration, backgroundActivityLogger: logger)
        return UpstreamClient(http: http, logger: logger)
    }

    package func shutdown() async {
        try? await http.shutdown()
    }

    /// The shutdown grace period ran out: cut every upstream call still running (their streams end
    /// with `event: error`, their records with `server_shutdown`).
    func abortForShutdown(grace: Duration) async {
        shutdownState.begin(grace: grace)
        try? await http.shutdown()
    }

    /// Sends a POST and returns once the response head has arrived; the body streams afterwards.
    func post(url: String, headers: [(String, String)], body: [UInt8], deadline: Duration, provider: String) async throws(ProxyError) -> HTTPClientResponse {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.headers.replaceOrAdd(name: "content-length", value: String(body.count))
        // W3C trace context: vdm's span is the upstream call's parent (never the client's own header).
        request.headers.remove(name: "traceparent")
        request.headers.remove(name: "tracestate")
        if let trace = CorrelationContext.current?.trace {
            request.headers.add(name: "traceparent", value: TraceHeaders.upstreamTraceparent(trace))
            if let state = trace.state { request.headers.add(name: "tracestate", value: state) }
        }
        request.body = .bytes(ByteBuffer(bytes: body))
        // AsyncHTTPClient logs from its event loop, outside our task, where the task-local id is not
        // visible: so the id also travels as logger metadata.
        var requestLogger = logger
        if let context = CorrelationContext.current {
            requestLogger[metadataKey: CorrelationContext.metadataKey] = .string(context.id)
            if let trace = context.trace { requestLogger[metadataKey: CorrelationContext.traceMetadataKey] = CorrelationContext.traceMetadata(trace) }
        }
        do {
            return try await http.execute(request, timeout: .nanoseconds(deadline.nanoseconds), logger: requestLogger)
        } catch {
            throw classify(error, provider: provider)
        }
    }

    /// Collects a body up to `limit` bytes (upstream error bodies, non-streaming responses).
    func collect(_ response: HTTPClientResponse, limit: Int, provider: String) async throws(ProxyError) -> [UInt8] {
        do {
            var buffer = try await response.body.collect(upTo: limit)
            return buffer.readBytes(length: buffer.readableBytes) ?? []
        } catch {
            throw classify(error, provider: provider, phase: .body)
        }
    }

    /// The error for an upstream answer other than 200: its status, message and `retry-after`.
    func statusError(_ response: HTTPClientResponse, provider: ProviderConfig, redactor: Redactor) async throws(ProxyError) -> ProxyError {
        let body = try await collect(response, limit: MessagesHandler.maxUpstreamBody, provider: provider.name)
        return ProxyError.upstreamStatus(Int(response.status.code), provider: provider.name, upstreamMessage: UpstreamCall.upstreamMessage(body, redactor: redactor),
                                         passthroughKey: provider.isPassthrough, retryAfter: response.headers.first(name: "retry-after"))
    }

    /// Where in the call a failure happened: it decides who is to blame.
    enum Phase: Sendable {
        /// Connecting and waiting for the response head.
        case head
        /// Reading a whole (non-streamed) body after a 200 head: a break is the upstream's fault.
        case body
        /// Relaying a stream after the client has its 200: a break is a stream error.
        case stream
    }

    /// `classify` as seen by this client: after the shutdown cut, every failure is the shutdown's.
    func classify(_ error: any Error, provider: String, phase: Phase = .head) -> ProxyError {
        if let grace = shutdownState.grace { return .serverShutdown(grace: grace) }
        return Self.classify(error, provider: provider, phase: phase)
    }

    static func classify(_ error: any Error, provider: String, phase: Phase = .head) -> ProxyError {
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
            case .remoteConnectionClosed where phase == .stream:
                return .streamFailed("Upstream '\(provider)' closed the connection early")
            case .remoteConnectionClosed where phase == .body:
                return .badUpstreamResponse(provider: provider, "the connection closed before the end of the body")
            case .remoteConnectionClosed:
                return .badUpstreamResponse(provider: provider, "the connection closed before the response head")
            default:
                if phase == .body { return .badUpstreamResponse(provider: provider, "the body broke off (\(client))") }
                return .upstreamConnect(provider: provider, String(describing: client))
            }
        }
        if error is NIOTooManyBytesError {
            return .badUpstreamResponse(provider: provider, "response too large")
        }
        switch phase {
        case .stream: return .streamFailed("Upstream '\(provider)' stream broke: \(error)")
        case .body: return .badUpstreamResponse(provider: provider, "the body broke off before its end (\(error))")
        case .head: break
        }
        let name = String(reflecting: type(of: error))
        if name.contains("Connect") || name.contains("IOError") || name.contains("ChannelError") || name.contains("SSL") {
            return .upstreamConnect(provider: provider, String(describing: error))
        }
        return .internalError("Upstream '\(provider)': \(error)")
    }
}

extension Duration {
    package var nanoseconds: Int64 {
        let c = components
        return c.seconds * 1_000_000_000 + c.attoseconds / 1_000_000_000
    }
}
