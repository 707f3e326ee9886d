import HTTPTypes
import Hummingbird
import LogPipeline
import NIOCore

/// `GET /metrics/active-requests`: the in-flight requests, newest first, with live token counts
/// (streaming forwarders push them through `tracker.update`).
struct ActiveRequestsHandler: Sendable {
    let tracker: RequestTracker
    let metricsEnabled: Bool

    func handle() async -> Response {
        guard metricsEnabled else { return Self.json(ActiveRequestsJSON.disabled()) }
        let requests = await tracker.activeRequests()
        return Self.json(ActiveRequestsJSON.render(requests, nowMicros: WallClock.nowMicros()))
    }

    static func json(_ bytes: [UInt8]) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-cache"],
                 body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
