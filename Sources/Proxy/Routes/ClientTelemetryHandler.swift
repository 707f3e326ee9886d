import Hummingbird
import Logging
import NIOCore

/// Claude Code's own telemetry (`POST /api/event_logging/batch`, `POST /api/claude_code/metrics`),
/// which it sends to `ANTHROPIC_BASE_URL`: answered `200 {}` at once, the body read and dropped
/// (never buffered, never forwarded), one DEBUG line, counted in `vdm_client_telemetry_requests_total`.
/// Not a model request: not tracked, not in the running totals, not logged as a record.
struct ClientTelemetryHandler: Sendable {
    static let paths = ["/api/event_logging/batch", "/api/claude_code/metrics"]

    let exporter: MetricsExporter
    let logger: Logger
    /// Read no further than this (`VDM_MAX_REQUEST_BYTES`): the rest is the server's to drop.
    let maxBytes: Int

    func handle(_ request: Request) async -> Response {
        var bytes = 0
        do {
            for try await chunk in request.body {
                bytes += chunk.readableBytes
                if bytes > maxBytes { break }
            }
        } catch {
            // The client went away mid-body: nothing to answer, nothing to report above DEBUG.
        }
        exporter.countClientTelemetry()
        logger.debug("CLIENT_TELEMETRY | \(request.method) \(request.uri.path) | Bytes: \(bytes) | answered locally, not forwarded")
        return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: "{}")))
    }
}
