import Foundation
import LogPipeline

/// What a destination did with one record.
enum DeliveryResult: Equatable {
    case delivered
    case failed(String)
}

/// A sink's own destination (journald, a syslog socket). Called only from its pump's thread, one
/// record at a time, so implementations may keep unsynchronised scratch buffers.
protocol RecordTransport: AnyObject {
    func deliver(_ record: LogRecord) -> DeliveryResult
}

/// Moves records from the request path to a transport through a bounded queue and one thread, and
/// switches to a fallback sink for good the first time the transport fails.
///
/// - Producers only append to the queue. When it is full they follow `SinkQueuePolicy` like every
///   other sink (`QueueAdmission`): a bounded wait, then the record is dropped and counted. A
///   transport that has accepted nothing for `stallTimeout` while the queue is full counts as failed:
///   everything goes to the fallback from then on.
/// - On failure the failed record and the whole backlog are handed to the fallback, in order, under
///   the lock, so nothing queued is lost and nothing is sent twice; later records go straight to it.
/// - The switch is said once, through `notice`. The fallback's drops count as this output's
///   (`SinkDropCounter.forwardDrops`): only configured outputs are on `/metrics`.
final class RecordPump: @unchecked Sendable {
    // @unchecked: every mutable field below is only touched with `condition` held.
    private let condition = NSCondition()
    private var queue: RecordFIFO
    private var fallback: (any LogSink)?
    private var reason: String?
    private var busySince: ContinuousClock.Instant?
    private var closed = false
    private var finished = false
    private var delivered: UInt64 = 0

    let requestedTarget: String
    private let transport: any RecordTransport
    private let capacity: Int
    private let admission: QueueAdmission
    let drops: SinkDropCounter
    private let stallTimeout: Duration
    private let makeFallback: @Sendable () -> any LogSink
    private let notice: @Sendable (String) -> Void

    init(
        requestedTarget: String, transport: any RecordTransport, policy: SinkQueuePolicy, stallTimeout: Duration,
        fallback: @escaping @Sendable () -> any LogSink, notice: @escaping @Sendable (String) -> Void
    ) {
        self.requestedTarget = requestedTarget
        self.transport = transport
        self.capacity = policy.queueRecords
        self.drops = SinkDropCounter(sink: requestedTarget)
        self.admission = QueueAdmission(policy: policy, drops: drops)
        self.stallTimeout = stallTimeout
        self.makeFallback = fallback
        self.notice = notice
        self.queue = RecordFIFO(reservingCapacity: min(policy.queueRecords, 1024))
        let thread = Thread { [self] in self.run() }
        thread.name = "vdm-log-\(requestedTarget)"
        thread.start()
    }

    // MARK: - producers

    func write(_ record: LogRecord) {
        condition.lock()
        // After the switch the fallback applies its own queue policy (and counts its drops as ours).
        if let sink = fallback {
            condition.unlock()
            sink.write(record)
            return
        }
        // Waits in slices, so a stalled transport is noticed (and replaced) within the wait.
        let admitted = admission.admit(isFull: { isFullAndLive() }) { deadline in
            _ = condition.wait(until: min(deadline, Date(timeIntervalSinceNow: stallSlice.seconds)))
        }
        guard admitted else {
            condition.unlock()
            return
        }
        if closed && fallback == nil {
            switchToFallback(because: "written after close", first: nil)
        }
        if let sink = fallback {
            condition.unlock()
            sink.write(record)
            return
        }
        let wasEmpty = count == 0
        queue.append(record)
        if wasEmpty { condition.broadcast() }
        condition.unlock()
    }

    /// Waits until every record written so far has been delivered or handed to the fallback, then
    /// flushes the fallback.
    func flush() {
        condition.lock()
        while fallback == nil && (count > 0 || busySince != nil) {
            waitDetectingStall()
        }
        let sink = fallback
        condition.unlock()
        sink?.flush()
    }

    /// Flushes, then ends the thread (waiting for it at most `closeTimeout`: a transport hung in a
    /// delivery cannot be joined) and closes the fallback. Idempotent. Later writes go to the fallback.
    func close() {
        flush()
        condition.lock()
        closed = true
        condition.broadcast()
        let deadline = Date(timeIntervalSinceNow: Self.closeTimeout.seconds)
        while !finished && condition.wait(until: deadline) {}
        let sink = fallback
        condition.unlock()
        sink?.close()
    }

    static let closeTimeout: Duration = .seconds(5)

    var effectiveTarget: String {
        condition.lock()
        let sink = fallback
        condition.unlock()
        guard let sink else { return requestedTarget }
        return (sink as? any LogTargetStatus)?.effectiveTarget ?? sink.name
    }

    var fallbackReason: String? {
        condition.lock()
        defer { condition.unlock() }
        return reason
    }

    /// Records the transport accepted.
    var deliveredCount: UInt64 {
        condition.lock()
        defer { condition.unlock() }
        return delivered
    }

    // MARK: - the thread

    private func run() {
        condition.lock()
        while true {
            while count == 0 && !closed { condition.wait() }
            if count == 0 {
                finished = true
                condition.broadcast()
                condition.unlock()
                return
            }
            let record = pop()
            busySince = .now
            condition.unlock()

            let result = transport.deliver(record)

            condition.lock()
            busySince = nil
            switch result {
            case .delivered:
                delivered += 1
            case .failed(let why):
                if let sink = fallback {
                    sink.write(record)  // a stall already switched over while this one was in flight
                } else {
                    switchToFallback(because: why, first: record)
                }
            }
            condition.broadcast()
        }
    }

    // MARK: - with `condition` held

    private var count: Int { queue.count }

    private func pop() -> LogRecord { queue.removeFirst() }

    /// The queue is full and the transport still ours; a transport stalled for `stallTimeout` is
    /// replaced by the fallback first (then the queue is not full any more).
    private func isFullAndLive() -> Bool {
        guard fallback == nil && count >= capacity else { return false }
        detectStall()
        return fallback == nil
    }

    private var stallSlice: Duration { min(stallTimeout, .milliseconds(250)) }

    private func waitDetectingStall() {
        _ = condition.wait(until: Date(timeIntervalSinceNow: stallSlice.seconds))
        detectStall()
    }

    private func detectStall() {
        if fallback == nil, let since = busySince, ContinuousClock.now - since >= stallTimeout {
            switchToFallback(because: "no record accepted for \(stallTimeout) with the buffer full", first: nil)
        }
    }

    private func switchToFallback(because why: String, first: LogRecord?) {
        let sink = makeFallback()
        for counter in sink.dropCounters { counter.forwardDrops(to: drops) }
        fallback = sink
        reason = why
        let target = (sink as? any LogTargetStatus)?.effectiveTarget ?? sink.name
        notice("\(requestedTarget) output failed (\(why)); records go to \(target) from now on")
        if let first { sink.write(first) }
        while count > 0 { sink.write(pop()) }
        queue.removeAll()
        condition.broadcast()
    }
}
