import Synchronization

/// Records one sink dropped under `SinkQueuePolicy`, and when to say so. The sink counts; the
/// `LogRouter` asks `takeReport()` after each record it routes and logs the WARNING on every output
/// (the stuck one drops it too, which is counted as well).
///
/// Rate limit: a report at the first drop of a burst, one every `reportInterval` while it lasts (with
/// the count since the previous report), and one when the sink accepts records again (with the
/// burst's count). A burst is a run of drops with no accepted record in between.
public final class SinkDropCounter: Sendable {
    public let sink: String
    public static let reportInterval: Duration = .seconds(10)

    private let total = Atomic<UInt64>(0)
    /// Set when a report is due; the router's per-record check is this one relaxed load.
    private let due = Atomic<Bool>(false)
    private let state = Mutex(State())

    private struct State {
        var inBurst = false
        /// Drops in the current burst (or the one that just ended).
        var burstDrops: UInt64 = 0
        var reportedInBurst = false
        var burstEnded = false
        var reportedTotal: UInt64 = 0
        var lastReport: ContinuousClock.Instant?
    }

    public init(sink: String) { self.sink = sink }

    /// Records dropped so far.
    public var dropped: UInt64 { total.load(ordering: .relaxed) }

    /// One record dropped (called by the sink, with its own lock held: this lock is a leaf).
    public func recordDrop() {
        total.add(1, ordering: .relaxed)
        let now = ContinuousClock.now
        let report = state.withLock { state -> Bool in
            if !state.inBurst {
                state = State(inBurst: true, burstDrops: 1, reportedTotal: state.reportedTotal, lastReport: state.lastReport)
                return true
            }
            state.burstDrops += 1
            guard let last = state.lastReport else { return true }
            return now - last >= Self.reportInterval
        }
        if report { due.store(true, ordering: .relaxed) }
    }

    /// The sink accepted a record after a burst of drops.
    public func recordBurstEnded() {
        state.withLock { state in
            guard state.inBurst else { return }
            state.inBurst = false
            state.burstEnded = true
        }
        due.store(true, ordering: .relaxed)
    }

    /// Whether `takeReport()` has something to say (one relaxed load).
    public var reportDue: Bool { due.load(ordering: .relaxed) }

    /// The WARNING to log now, if one is due (at most one caller gets it).
    public func takeReport() -> String? {
        guard due.load(ordering: .relaxed), due.exchange(false, ordering: .relaxed) else { return nil }
        let now = ContinuousClock.now
        let dropped = total.load(ordering: .relaxed)
        return state.withLock { state -> String? in
            let since = dropped - min(dropped, state.reportedTotal)
            let wasReported = state.reportedInBurst
            state.reportedTotal = dropped
            state.lastReport = now
            if state.burstEnded {
                state.burstEnded = false
                state.reportedInBurst = false
                return "Log output \(sink) accepts records again after dropping \(state.burstDrops) in a row (queue full) | Dropped in total: \(dropped)"
            }
            guard since > 0 else { return nil }
            state.reportedInBurst = true
            return wasReported
                ? "Log output \(sink) still full: \(since) more records dropped | Dropped in total: \(dropped)"
                : "Log output \(sink) is full: dropping records (\(since) so far; each is a sequence gap in that output) | Dropped in total: \(dropped)"
        }
    }
}
