import Synchronization

/// Records one sink dropped under `SinkQueuePolicy`, and when to say so. The sink counts; the
/// `LogRouter` asks `takeReport()` after each record it routes and logs the WARNING on every output
/// (the stuck one drops it too, which is counted as well).
///
/// Rate limit: a report at the first drop of a burst, one every `reportInterval` while it lasts (with
/// the count since the previous report), and one when the sink accepts records again (with the
/// burst's count). A burst is a run of drops with no accepted record in between.
public final class SinkDropCounter: Sendable {
    /// Why a record was dropped: the reports say which (an OTLP receiver that refuses an export
    /// is not a full queue, and an operator looks for different causes).
    public enum Cause: Sendable {
        /// The sink's queue stayed full for the policy's wait.
        case queueFull
        /// The sink's destination failed the delivery (e.g. a failed OTLP export).
        case deliveryFailed
    }

    public let sink: String
    public static let reportInterval: Duration = .seconds(10)

    private let total = Atomic<UInt64>(0)
    /// Set when a report is due; the router's per-record check is this one relaxed load.
    private let due = Atomic<Bool>(false)
    private let state = Mutex(State())
    /// The counter of the output this one's sink stands in for (a fallback), which counts its drops
    /// too: only configured outputs' counters reach `/metrics` and the reports.
    private let parent = Mutex<SinkDropCounter?>(nil)

    private struct State {
        var inBurst = false
        /// Drops in the current burst (or the one that just ended).
        var burstDrops: UInt64 = 0
        var reportedInBurst = false
        var burstEnded = false
        var reportedTotal: UInt64 = 0
        var lastReport: ContinuousClock.Instant?
        /// Failed deliveries among the drops since the last report (the rest were a full queue).
        var failedSinceReport: UInt64 = 0
        var burstFailed: UInt64 = 0
    }

    public init(sink: String) { self.sink = sink }

    /// Counts this counter's drops (and burst ends) in `parent` as well, from now on: a fallback's
    /// drops are the drops of the output it replaced (`vdm_log_records_dropped_total{sink="journald"}`
    /// includes what its syslog fallback dropped). Chains: a fallback's fallback forwards to it.
    public func forwardDrops(to parent: SinkDropCounter) {
        guard parent !== self else { return }
        self.parent.withLock { $0 = parent }
    }

    /// Records dropped so far.
    public var dropped: UInt64 { total.load(ordering: .relaxed) }

    /// One record dropped (called by the sink, with its own lock held: this lock is a leaf).
    public func recordDrop(_ cause: Cause = .queueFull) {
        total.add(1, ordering: .relaxed)
        let now = ContinuousClock.now
        let failed: UInt64 = cause == .deliveryFailed ? 1 : 0
        let report = state.withLock { state -> Bool in
            state.failedSinceReport += failed
            if !state.inBurst {
                state = State(inBurst: true, burstDrops: 1, reportedTotal: state.reportedTotal, lastReport: state.lastReport,
                              failedSinceReport: state.failedSinceReport, burstFailed: failed)
                return true
            }
            state.burstDrops += 1
            state.burstFailed += failed
            guard let last = state.lastReport else { return true }
            return now - last >= Self.reportInterval
        }
        if report { due.store(true, ordering: .relaxed) }
        parent.withLock { $0 }?.recordDrop(cause)
    }

    /// The sink accepted a record after a burst of drops.
    public func recordBurstEnded() {
        state.withLock { state in
            guard state.inBurst else { return }
            state.inBurst = false
            state.burstEnded = true
        }
        due.store(true, ordering: .relaxed)
        parent.withLock { $0 }?.recordBurstEnded()
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
            let failed = min(since, state.failedSinceReport)
            let wasReported = state.reportedInBurst
            state.reportedTotal = dropped
            state.lastReport = now
            state.failedSinceReport = 0
            if state.burstEnded {
                state.burstEnded = false
                state.reportedInBurst = false
                return "Log output \(sink) accepts records again after dropping \(state.burstDrops) in a row (\(Self.causes(state.burstDrops, failed: state.burstFailed))) | Dropped in total: \(dropped)"
            }
            guard since > 0 else { return nil }
            state.reportedInBurst = true
            if failed == since {
                return wasReported
                    ? "Log output \(sink) still failing deliveries: \(since) more records dropped | Dropped in total: \(dropped)"
                    : "Log output \(sink) failed to deliver records: dropping them (\(since) so far; each is a sequence gap in that output) | Dropped in total: \(dropped)"
            }
            let why = failed > 0 ? " (\(Self.causes(since, failed: failed)))" : ""
            return wasReported
                ? "Log output \(sink) still full: \(since) more records dropped\(why) | Dropped in total: \(dropped)"
                : "Log output \(sink) is full: dropping records (\(since) so far; each is a sequence gap in that output)\(why) | Dropped in total: \(dropped)"
        }
    }

    private static func causes(_ drops: UInt64, failed: UInt64) -> String {
        switch failed {
        case 0: "queue full"
        case drops...: "failed deliveries"
        default: "queue full: \(drops - failed), failed deliveries: \(failed)"
        }
    }
}
