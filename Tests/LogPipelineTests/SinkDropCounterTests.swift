import LogPipeline
import Testing

/// The drop reports name their cause: a full queue, a failed delivery (an OTLP export the
/// receiver refused), or both. Expected texts are literals.
@Suite struct SinkDropCounterTests {
    @Test func aFullQueueIsReportedAsFull() {
        let c = SinkDropCounter(sink: "console")
        c.recordDrop()
        c.recordDrop()
        #expect(c.takeReport() == "Log output console is full: dropping records (2 so far; each is a sequence gap in that output) | Dropped in total: 2")
        #expect(c.takeReport() == nil)
        c.recordBurstEnded()
        #expect(c.takeReport() == "Log output console accepts records again after dropping 2 in a row (queue full) | Dropped in total: 2")
    }

    @Test func failedDeliveriesAreNotCalledAFullQueue() {
        let c = SinkDropCounter(sink: "otlp")
        for _ in 0..<3 { c.recordDrop(.deliveryFailed) }
        #expect(c.takeReport() == "Log output otlp failed to deliver records: dropping them (3 so far; each is a sequence gap in that output) | Dropped in total: 3")
        c.recordBurstEnded()
        #expect(c.takeReport() == "Log output otlp accepts records again after dropping 3 in a row (failed deliveries) | Dropped in total: 3")
        #expect(c.dropped == 3)
    }

    @Test func mixedCausesAreCountedApart() {
        let c = SinkDropCounter(sink: "otlp")
        c.recordDrop()
        c.recordDrop(.deliveryFailed)
        c.recordDrop(.deliveryFailed)
        #expect(c.takeReport() == "Log output otlp is full: dropping records (3 so far; each is a sequence gap in that output) (queue full: 1, failed deliveries: 2) | Dropped in total: 3")
        c.recordBurstEnded()
        #expect(c.takeReport() == "Log output otlp accepts records again after dropping 3 in a row (queue full: 1, failed deliveries: 2) | Dropped in total: 3")
    }
}
