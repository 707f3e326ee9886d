import Foundation
import LogPipeline
import Synchronization
import Testing
@testable import Journald

/// The buffer-and-fallback logic on its own, with a transport that fails or hangs on cue.
@Suite struct RecordPumpTests {
    let factory = RecordFactory()

    /// Accepts `acceptFirst` records, then fails every call.
    final class FlakyTransport: RecordTransport, Sendable {
        let accepted = Mutex<[UInt64]>([])
        let acceptFirst: Int
        init(acceptFirst: Int) { self.acceptFirst = acceptFirst }
        func deliver(_ record: LogRecord) -> DeliveryResult {
            accepted.withLock { list -> DeliveryResult in
                guard list.count < acceptFirst else { return .failed("refused") }
                list.append(record.sequence)
                return .delivered
            }
        }
    }

    /// Blocks every delivery until released, like a stopped journald with a full socket queue.
    final class HangingTransport: RecordTransport, Sendable {
        let release = DispatchSemaphore(value: 0)
        let accepted = Mutex<[UInt64]>([])
        func deliver(_ record: LogRecord) -> DeliveryResult {
            release.wait()
            release.signal()
            accepted.withLock { $0.append(record.sequence) }
            return .delivered
        }
    }

    @Test func failureHandsTheFailedRecordAndTheBacklogToTheFallbackOnce() {
        let transport = FlakyTransport(acceptFirst: 100)
        let fallback = MemorySink()
        let notices = NoticeLog()
        let pump = RecordPump(requestedTarget: "journald", transport: transport, policy: .lossless(64), stallTimeout: .seconds(5),
                              fallback: { fallback }, notice: notices.sink)
        let records = (0..<1000).map { factory.record("r\($0)") }
        for record in records { pump.write(record) }
        pump.flush()

        let primary = transport.accepted.withLock { $0 }
        let secondary = fallback.all.map(\.sequence)
        #expect(primary == Array(records.prefix(100).map(\.sequence)))
        #expect(secondary == Array(records.dropFirst(100).map(\.sequence)))  // in order, none lost, none twice
        #expect(notices.all.count == 1)
        #expect(notices.all.first?.contains("refused") == true)
        #expect(pump.effectiveTarget == "memory")
        #expect(pump.fallbackReason == "refused")
        #expect(pump.deliveredCount == 100)
        pump.close()
    }

    @Test func aStalledDestinationDoesNotHoldWritersLongerThanTheTimeout() throws {
        let transport = HangingTransport()
        let fallback = MemorySink()
        let notices = NoticeLog()
        let pump = RecordPump(requestedTarget: "journald", transport: transport, policy: .lossless(8), stallTimeout: .milliseconds(200),
                              fallback: { fallback }, notice: notices.sink)
        let records = (0..<100).map { factory.record("r\($0)") }
        let started = ContinuousClock.now
        for record in records { pump.write(record) }
        let blocked = ContinuousClock.now - started
        #expect(blocked < .seconds(2))
        #expect(pump.fallbackReason?.contains("no record accepted") == true)
        #expect(notices.all.count == 1)

        transport.release.signal()  // the one in flight completes late
        pump.flush()
        // The late delivery lands on the pump's own thread: wait (bounded) until every record is somewhere.
        let deadline = ContinuousClock.now + .seconds(10)
        while transport.accepted.withLock({ $0.count }) + fallback.all.count < records.count, ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.01)
        }
        let delivered = transport.accepted.withLock { $0 }
        let all = delivered + fallback.all.map(\.sequence)
        #expect(all.sorted() == records.map(\.sequence))
        #expect(delivered.count == 1)
        pump.close()
    }

    /// The shared policy (`QueueAdmission`), not a mechanism of the pump's own: a destination that
    /// hangs (short of the stall timeout) costs writers one bounded wait, then records are dropped and
    /// counted; what was queued is delivered once it thaws.
    @Test func aHangingDestinationCostsOneBoundedWaitThenDropsAreCounted() {
        let transport = HangingTransport()
        let maxWait: Duration = .milliseconds(50)
        let pump = RecordPump(requestedTarget: "journald", transport: transport,
                              policy: SinkQueuePolicy(maxWait: maxWait, queueRecords: 8), stallTimeout: .seconds(60),
                              fallback: { MemorySink() }, notice: { _ in })
        let records = (0..<100).map { factory.record("r\($0)") }
        let started = ContinuousClock.now
        for record in records { pump.write(record) }
        let blocked = ContinuousClock.now - started
        #expect(blocked >= maxWait, "a full queue is waited on before dropping")
        #expect(blocked < .seconds(2), "one wait per burst, not 100 × \(maxWait): \(blocked)")
        let dropped = Int(pump.drops.dropped)
        // One record in flight and eight queued (or, if the thread was slow to take the first, eight).
        #expect(dropped == 91 || dropped == 92, "\(dropped)")
        #expect(pump.drops.takeReport()?.contains("Log output journald is full") == true)
        #expect(pump.fallbackReason == nil)

        transport.release.signal()
        pump.flush()
        #expect(transport.accepted.withLock { $0 } == records.prefix(records.count - dropped).map(\.sequence))
        pump.close()
    }

    /// A fallback that is itself a pump (as journald's syslog fallback is), over a destination that hangs.
    struct PumpSink: LogSink {
        let pump: RecordPump
        var name: String { pump.requestedTarget }
        func write(_ record: LogRecord) { pump.write(record) }
        func flush() {}
        var dropCounters: [SinkDropCounter] { [pump.drops] }
    }

    /// What a fallback drops is counted as the configured output's drops: only that counter reaches
    /// `/metrics` and the reports (the fallback is made after the router read its counters).
    @Test func theFallbacksDropsCountAsTheOutputsOwn() {
        let hanging = HangingTransport()
        let inner = RecordPump(requestedTarget: "syslog", transport: hanging, policy: SinkQueuePolicy(maxWait: .milliseconds(20), queueRecords: 4),
                               stallTimeout: .seconds(60), fallback: { MemorySink() }, notice: { _ in })
        let pump = RecordPump(requestedTarget: "journald", transport: FlakyTransport(acceptFirst: 10), policy: .lossless(64),
                              stallTimeout: .seconds(5), fallback: { PumpSink(pump: inner) }, notice: { _ in })
        let records = (0..<60).map { factory.record("r\($0)") }
        for record in records { pump.write(record) }
        pump.flush()
        // 10 delivered to journald; of the 50 handed to the hanging fallback, 1 in flight and 4 queued
        // (or 4 and 4 if its thread was slow to take the first): the rest dropped, in both counters.
        let dropped = inner.drops.dropped
        #expect(dropped == 45 || dropped == 46, "\(dropped)")
        #expect(pump.drops.dropped == dropped)
        #expect(pump.drops.takeReport()?.hasPrefix("Log output journald is full: dropping records") == true)
        #expect(pump.effectiveTarget == "syslog")
        hanging.release.signal()
        inner.close()
        pump.close()
    }

    @Test func flushWaitsForEveryRecord() {
        let transport = FlakyTransport(acceptFirst: .max)
        let pump = RecordPump(requestedTarget: "x", transport: transport, policy: .lossless(4), stallTimeout: .seconds(5),
                              fallback: { MemorySink() }, notice: { _ in })
        for i in 0..<500 { pump.write(factory.record("r\(i)")) }
        pump.flush()
        #expect(transport.accepted.withLock { $0.count } == 500)
        #expect(pump.fallbackReason == nil)
        #expect(pump.effectiveTarget == "x")
        pump.close()
    }

    @Test func writesAfterCloseAreNotLost() {
        let fallback = MemorySink()
        let pump = RecordPump(requestedTarget: "x", transport: FlakyTransport(acceptFirst: .max), policy: .lossless(4),
                              stallTimeout: .seconds(5), fallback: { fallback }, notice: { _ in })
        pump.close()
        pump.write(factory.record("late"))
        pump.flush()
        #expect(fallback.all.map(\.message) == ["late"])
    }
}

extension SinkQueuePolicy {
    /// A queue of `records` whose writers wait up to 30 s: for tests that assert nothing is dropped
    /// (a loaded machine must not turn a slow pump thread into drops).
    static func lossless(_ records: Int) -> SinkQueuePolicy {
        SinkQueuePolicy(maxWait: .seconds(30), queueRecords: records)
    }
}
