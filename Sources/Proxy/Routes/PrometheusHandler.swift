import HTTPTypes
import Hummingbird
import LogPipeline
import NIOCore

/// `GET /metrics`: the Prometheus text exposition (0.0.4) of `MetricsExporter`. Served whatever
/// `LOG_REQUEST_METRICS` says: it is a set of counters, not the per-request views that switch governs.
struct PrometheusHandler: Sendable {
    let exporter: MetricsExporter
    let logs: LogSetup

    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    func handle() -> Response {
        exporter.updateLogging(recordsEmitted: logs.router.recordsEmitted, fallbacks: logs.mode.fallbacks,
                               dropped: logs.router.droppedRecords)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(16 << 10)
        exporter.emit(into: &buffer)
        return Response(status: .ok, headers: [.contentType: Self.contentType, .cacheControl: "no-cache"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: buffer)))
    }
}
