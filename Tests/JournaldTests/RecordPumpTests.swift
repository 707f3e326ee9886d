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
        let pump = RecordPump(requestedTarget: "journald", transport: transport, capacity: 64, stallTimeout: .seconds(5),
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
        let pump = RecordPump(requestedTarget: "journald", transport: transport, capacity: 8, stallTimeout: .milliseconds(200),
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

    @Test func flushWaitsForEveryRecord() {
        let transport = FlakyTransport(acceptFirst: .max)
        let pump = RecordPump(requestedTarget: "x", transport: transport, capacity: 4, stallTimeout: .seconds(5),
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
        let pump = RecordPump(requestedTarget: "x", transport: FlakyTransport(acceptFirst: .max), capacity: 4,
                              stallTimeout: .seconds(5), fallback: { fallback }, notice: { _ in })
        pump.close()
        pump.write(factory.record("late"))
        pump.flush()
        #expect(fallback.all.map(\.message) == ["late"])
    }
}
