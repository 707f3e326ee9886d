import Foundation
import Logging
import LogPipeline

/// The pipeline's OTLP output: every record the JSON sink gets, as an OTLP log record sent by
/// swift-otel's batch processor and OTLP/HTTP exporter.
///
/// The request path only appends to this sink's queue, under `SinkQueuePolicy` like every sink
/// (`QueueAdmission`: a bounded wait when full, then a counted drop, `sink="otlp"`). One thread turns
/// queued records into OTLP records (`OTLPLogRecordMapping`) and hands them to swift-otel, at most
/// `window` not yet exported or failed at a time (`OTLPDeliveryLedger`), so a receiver that is down or
/// never answers fills this queue, not an unbounded one behind it. Records in a failed export are
/// counted as dropped too.
final class OTLPLogSink: LogSink, @unchecked Sendable {
    // @unchecked: every mutable field is only touched with `condition` held.
    let name = "otlp"
    private let condition = NSCondition()
    private var queue = RecordFIFO()
    private var busy = false
    private var closed = false
    private var finished = false

    private let capacity: Int
    private let window: Int
    private let admission: QueueAdmission
    let ledger: OTLPDeliveryLedger
    private let mapping: OTLPLogRecordMapping
    private let handler: any LogHandler

    /// Longest `flush` waits for the queue to be handed over (a receiver that never answers keeps the
    /// window full), and `close` for the thread.
    static let flushTimeout: Duration = .seconds(2)
    static let idleWake: Duration = .seconds(1)

    init(handler: any LogHandler, redactor: Redactor, policy: SinkQueuePolicy, ledger: OTLPDeliveryLedger) {
        self.handler = handler
        self.capacity = policy.queueRecords
        self.window = policy.queueRecords
        self.ledger = ledger
        self.admission = QueueAdmission(policy: policy, drops: ledger.drops)
        self.mapping = OTLPLogRecordMapping(encoder: ECSJSONEncoder(redactor: redactor))
        ledger.onSettle { [weak self] in self?.wake() }
        let thread = Thread { [self] in self.run() }
        thread.name = "vdm-log-otlp"
        thread.start()
    }

    var dropCounters: [SinkDropCounter] { [ledger.drops] }

    func write(_ record: LogRecord) {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else {
            ledger.drops.recordDrop()
            return
        }
        let admitted = admission.admit(isFull: { count >= capacity && !closed }) { deadline in
            _ = condition.wait(until: deadline)
        }
        guard admitted, !closed else {
            if admitted { ledger.drops.recordDrop() }
            return
        }
        if count == 0 { condition.broadcast() }
        queue.append(record)
    }

    /// Waits (at most `flushTimeout`) until every queued record is handed to swift-otel; its batch
    /// processor sends them within `OTEL_BLRP_SCHEDULE_DELAY`.
    func flush() {
        condition.lock()
        let deadline = Date(timeIntervalSinceNow: Self.flushTimeout.seconds)
        while (count > 0 || busy) && condition.wait(until: deadline) {}
        condition.unlock()
    }

    /// Flushes, ends the thread; what is still queued then is dropped and counted. Idempotent.
    func close() {
        flush()
        condition.lock()
        if !closed {
            closed = true
            for _ in 0..<count { ledger.drops.recordDrop() }
            queue.removeAll()
            condition.broadcast()
        }
        let deadline = Date(timeIntervalSinceNow: Self.flushTimeout.seconds)
        while !finished && condition.wait(until: deadline) {}
        condition.unlock()
    }

    private func wake() {
        condition.lock()
        condition.broadcast()
        condition.unlock()
    }

    private var count: Int { queue.count }

    private func run() {
        condition.lock()
        while true {
            while !closed && (count == 0 || ledger.inFlight >= window) {
                // Every change that ends this wait signals under the lock (a write, `close`, and a
                // settle through `ledger.onSettle`), so the timeout is only a safety net: an idle
                // sink wakes once a second, not twenty times.
                _ = condition.wait(until: Date(timeIntervalSinceNow: Self.idleWake.seconds))
            }
            if closed {
                finished = true
                condition.broadcast()
                condition.unlock()
                return
            }
            let record = queue.removeFirst()
            busy = true
            ledger.handedOver(1)
            condition.unlock()

            handler.log(event: mapping.event(for: record))

            condition.lock()
            busy = false
            condition.broadcast()
        }
    }
}
