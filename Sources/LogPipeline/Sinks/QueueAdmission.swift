package import Foundation

/// One sink's application of `SinkQueuePolicy`: decides, with the sink's lock held, whether a record
/// may join its full queue. Both queues use it — `BufferedWriter` (file, console) and journald's and
/// syslog's `RecordPump` — so there is one mechanism, not one per sink. A class: writers waiting in
/// `admit` release the lock, and another writer's `admit` must see (and may set) `dropping` meanwhile.
package final class QueueAdmission: @unchecked Sendable {
    // @unchecked: `dropping` is only touched with the owning sink's lock held.
    package let policy: SinkQueuePolicy
    package let drops: SinkDropCounter
    /// A burst of drops is under way: the queue was still full after a whole `maxWait`.
    private var dropping = false

    package init(policy: SinkQueuePolicy, drops: SinkDropCounter) {
        self.policy = policy
        self.drops = drops
    }

    /// Whether the record may be queued. Call with the sink's lock held. `isFull` is re-read after each
    /// wake; `waitUntil` waits on the sink's condition until the deadline at most (and wakes the
    /// consumer so it takes the full queue now). `false`: the record is dropped, and counted here.
    package func admit(isFull: () -> Bool, waitUntil: (Date) -> Void) -> Bool {
        if !isFull() {
            if dropping {
                dropping = false
                drops.recordBurstEnded()
            }
            return true
        }
        if !dropping {
            let deadline = ContinuousClock.now + policy.maxWait
            // Another writer may declare the burst while this one waits: stop waiting then too.
            while isFull() && !dropping {
                let left = deadline - .now
                if left <= .zero { break }
                waitUntil(Date(timeIntervalSinceNow: left.seconds))
            }
            if !isFull() { return true }
            dropping = true
        }
        drops.recordDrop()
        return false
    }
}

package extension Duration {
    /// For `NSCondition.wait(until:)` and other `TimeInterval` APIs.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
