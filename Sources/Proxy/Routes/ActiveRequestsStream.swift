import HTTPTypes
import Hummingbird
import LogPipeline
import NIOCore
import ServiceLifecycle
import Synchronization

/// `GET /metrics/active-requests/stream`: Server-Sent Events of the in-flight requests.
///
/// - An `update` event (a full snapshot, as `/metrics/active-requests` plus `timestamp`) at once,
///   then one per tracker change — woken by `waitForChange(after:)`, never by polling.
/// - Starts and ends go out at once, at most one event per `min(interval, 50 ms)`; changes that only
///   move live numbers (streamed tokens) are coalesced to one per `interval`. Nothing changes, nothing
///   is sent: `duration_ms` alone never triggers an event (count from `start_time` for a live clock).
/// - `id:` is the tracker version of the snapshot; the first event also carries `retry:`.
/// - `Last-Event-ID` on reconnect: every event is a whole snapshot, so there is nothing to replay —
///   the client gets a fresh snapshot at once, like a first connect.
/// - `: heartbeat` after `heartbeat` without any write, so proxies and browsers keep the line open.
/// - A client that goes away cancels its stream (Hummingbird's inbound-close handler): the wait is
///   cancelled, its waiter removed from the tracker, the task ends. Graceful shutdown ends streams too.
package final class ActiveRequestsStream: Sendable {
    let tracker: RequestTracker
    let settings: ActiveRequestsStreamSettings
    package let metricsEnabled: Bool
    private let open = Atomic<Int>(0)

    /// The longest a start or an end waits behind the previous event.
    static let structuralGap: Duration = .milliseconds(50)
    /// Disabled streams tell a browser's EventSource to come back rarely (it reconnects on close).
    static let disabledRetryMillis = 60_000

    init(tracker: RequestTracker, settings: ActiveRequestsStreamSettings, metricsEnabled: Bool) {
        self.tracker = tracker
        self.settings = settings
        self.metricsEnabled = metricsEnabled
    }

    /// Streams being served right now.
    package var openStreams: Int { open.load(ordering: .relaxed) }

    static var headers: HTTPFields {
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        headers[HTTPField.Name("x-accel-buffering")!] = "no"  // nginx: do not buffer the stream
        return headers
    }

    func handle(_ request: Request) -> Response {
        guard metricsEnabled else {
            return Self.disabled(message: ActiveRequestsJSON.disabledMessage, suggestion: ActiveRequestsJSON.disabledSuggestion)
        }
        guard settings.enabled else {
            return Self.disabled(message: "SSE for active requests is disabled",
                                 suggestion: "Unset VDM_ACTIVE_REQUESTS_SSE_ENABLED (or set it to true)")
        }
        let body = ResponseBody.correlated { writer in
            self.open.add(1, ordering: .relaxed)
            defer { self.open.subtract(1, ordering: .relaxed) }
            try await request.body.consumeWithCancellationOnInboundClose { _ in
                try await self.stream(to: &writer)
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: Self.headers, body: body)
    }

    static func disabled(message: String, suggestion: String) -> Response {
        let data = ActiveRequestsJSON.disabled(message: message, suggestion: suggestion, includeEmptyList: false)
        let event = SSEText.event("disabled", id: nil, retryMillis: disabledRetryMillis, data: data)
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: event)))
    }

    private enum Wake: Sendable {
        case changed
        case deadline
        case shutdown
    }

    private func stream(to writer: inout any ResponseBodyWriter) async throws {
        let clock = ContinuousClock()
        var (version, requests) = await tracker.activeSnapshot()
        try await writer.write(ByteBuffer(bytes: update(version: version, requests: requests, retry: settings.retryMillis)))
        var seen = version
        var sentIDs = requests.map(\.requestID)
        var lastSent = clock.now
        var lastWrite = lastSent
        var pending: ContinuousClock.Instant?
        while true {
            try Task.checkCancellation()
            let heartbeatAt = lastWrite + settings.heartbeat
            switch try await nextWake(after: seen, until: min(heartbeatAt, pending ?? heartbeatAt)) {
            case .shutdown:
                return
            case .changed:
                (version, requests) = await tracker.activeSnapshot()
                seen = version
                let ids = requests.map(\.requestID)
                let gap = ids != sentIDs ? min(settings.interval, Self.structuralGap) : settings.interval
                let due = lastSent + gap
                if due <= clock.now {
                    pending = nil
                } else {
                    pending = min(pending ?? due, due)
                    continue
                }
            case .deadline:
                guard let due = pending, due <= clock.now else {
                    if clock.now >= heartbeatAt {
                        try await writer.write(ByteBuffer(bytes: SSEText.heartbeat))
                        lastWrite = clock.now
                    }
                    continue
                }
                pending = nil
                (version, requests) = await tracker.activeSnapshot()
                seen = version
            }
            try await writer.write(ByteBuffer(bytes: update(version: version, requests: requests, retry: nil)))
            sentIDs = requests.map(\.requestID)
            lastSent = clock.now
            lastWrite = lastSent
        }
    }

    /// Whichever comes first: a tracker change after `seen`, the deadline, or graceful shutdown.
    /// The losers are cancelled and awaited, so no waiter outlives this call.
    private func nextWake(after seen: UInt64, until deadline: ContinuousClock.Instant) async throws -> Wake {
        let tracker = self.tracker
        return try await withThrowingTaskGroup(of: Wake.self) { group in
            group.addTask {
                _ = await tracker.waitForChange(after: seen)
                return .changed
            }
            group.addTask {
                try await Task.sleep(until: deadline, clock: .continuous)
                return .deadline
            }
            group.addTask {
                try await gracefulShutdown()
                return .shutdown
            }
            defer { group.cancelAll() }
            return try await group.next() ?? .deadline
        }
    }

    private func update(version: UInt64, requests: [RequestMetrics], retry: Int?) -> [UInt8] {
        let now = WallClock.nowMicros()
        let data = ActiveRequestsJSON.render(requests, nowMicros: now, timestampMicros: now)
        return SSEText.event("update", id: version, retryMillis: retry, data: data)
    }
}

/// The few SSE lines this server writes. `data` is one line of JSON (our writer escapes newlines).
enum SSEText {
    static let heartbeat: [UInt8] = Array(": heartbeat\n\n".utf8)

    static func event(_ name: String, id: UInt64?, retryMillis: Int?, data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(data.count + 64)
        if let retryMillis { out.append(contentsOf: "retry: \(retryMillis)\n".utf8) }
        if let id { out.append(contentsOf: "id: \(id)\n".utf8) }
        out.append(contentsOf: "event: \(name)\ndata: ".utf8)
        out.append(contentsOf: data)
        out.append(contentsOf: "\n\n".utf8)
        return out
    }
}
