public import Logging

/// Live state of the proxy's requests: in-flight ones, completed totals, recent traces and errors.
///
/// Emits one record per lifecycle event: `request.started`, exactly one `request.completed` per
/// request (ending is idempotent), and every `summaryInterval` completions a `summary.checkpoint`
/// with the cumulative totals plus the human `MODELS |` / `ERRORS |` lines. Records are emitted from
/// inside the actor, so a checkpoint's totals are exactly the completed records logged before it.
public actor RequestTracker {
    public struct Configuration: Sendable {
        /// Log a summary every N completions; 0 disables.
        public var summaryInterval: Int
        public var limits: AggregateLimits
        public var recentErrors: Int
        public var recentTraces: Int

        public init(summaryInterval: Int = 100, limits: AggregateLimits = AggregateLimits(), recentErrors: Int = 100, recentTraces: Int = 200) {
            self.summaryInterval = summaryInterval
            self.limits = limits
            self.recentErrors = recentErrors
            self.recentTraces = recentTraces
        }
    }

    public let configuration: Configuration
    private let logger: Logger
    private var active: [String: RequestMetrics] = [:]
    private var aggregate: MetricsAggregate
    private var errors: RingBuffer<TraceEntry>
    private var traces: RingBuffer<TraceEntry>
    private var traceSeq = 0
    private var errorSeq = 0
    private var version: UInt64 = 0
    private var waiters: [UInt64: CheckedContinuation<UInt64, Never>] = [:]
    private var nextWaiterID: UInt64 = 0
    private var observers: [@Sendable (TrackerEvent) -> Void] = []

    /// `observers` are registered before any request can start, so they see every event (the
    /// Prometheus exporter's in-flight gauge relies on seeing each start before its end).
    public init(logger: Logger, configuration: Configuration = Configuration(), observers: [@Sendable (TrackerEvent) -> Void] = []) {
        self.logger = logger
        self.configuration = configuration
        self.observers = observers
        self.aggregate = MetricsAggregate(limits: configuration.limits)
        self.errors = RingBuffer(capacity: configuration.recentErrors)
        self.traces = RingBuffer(capacity: configuration.recentTraces)
    }

    /// Registers a synchronous observer of starts and ends (e.g. the Prometheus exporter).
    public func observe(_ observer: @escaping @Sendable (TrackerEvent) -> Void) {
        observers.append(observer)
    }

    // MARK: lifecycle

    /// Registers an in-flight request and logs `request.started`. A second start of the same id is ignored.
    /// Every string is cut to its bound here, as in `update` and `end`: the tracker is where request
    /// data is kept, so it is where memory is bounded (`RecordBounds.clippingStrings`).
    public func start(_ metrics: RequestMetrics, toolsDefined: Int = 0, maxTokens: Int = 0) {
        guard active[metrics.requestID] == nil else { return }
        let metrics = RecordBounds.clippingStrings(metrics)
        active[metrics.requestID] = metrics
        CorrelationContext.$current.withValue(CorrelationContext.of(metrics.requestID)) {
            logger.info(
                "\(HumanLines.start(metrics, toolsDefined: toolsDefined, maxTokens: maxTokens))",
                metadata: .payload(RequestStartedPayload(metrics: metrics, toolsDefined: toolsDefined, maxTokens: maxTokens)))
        }
        for observer in observers { observer(.started(metrics)) }
        bump()
    }

    /// Live updates while a request runs (streamed tokens, resolved provider). Ignored once ended.
    public func update(_ requestID: String, _ change: @Sendable (inout RequestMetrics) -> Void) {
        guard var metrics = active[requestID] else { return }
        change(&metrics)
        active[requestID] = RecordBounds.clippingStrings(metrics)
        bump()
    }

    /// Ends a request: logs exactly one `request.completed`, adds it to the totals. Idempotent:
    /// returns false (and logs nothing) if the id is not in flight.
    ///
    /// A request the aggregate refuses (a value outside `RecordBounds`, or a total that would pass
    /// `RecordBounds.total`) is still logged as it is, is not in the totals, and an error line says
    /// why: replay refuses the same record for the same reason, so live and replay stay equal.
    @discardableResult
    public func end(_ final: RequestMetrics) -> Bool {
        guard active.removeValue(forKey: final.requestID) != nil else { return false }
        let final = RecordBounds.clippingStrings(final)
        var refusal: SumError?
        do throws(SumError) { try aggregate.add(final) } catch { refusal = error }
        let endMicros = WallClock.nowMicros()
        traceSeq += 1
        let trace = TraceEntry(seq: traceSeq, endMicros: endMicros, metrics: final)
        traces.append(trace)
        if final.isError {
            errorSeq += 1
            var entry = trace
            entry.seq = errorSeq
            errors.append(entry)
        }
        CorrelationContext.$current.withValue(CorrelationContext.of(final.requestID)) {
            logger.log(
                level: Self.level(for: final),
                "\(HumanLines.completed(final))",
                metadata: .payload(RequestCompletedPayload(metrics: final)))
        }
        if let refusal {
            CorrelationContext.$current.withValue(CorrelationContext.of(final.requestID)) {
                logger.error("request \(final.requestID) is not in the totals: \(refusal)")
            }
            for observer in observers { observer(.refused(final, refusal)) }
            bump()
            return true
        }
        for observer in observers { observer(.completed(final)) }
        let interval = configuration.summaryInterval
        if interval > 0, aggregate.completed % interval == 0 {
            logSummary(interval: interval)
        }
        bump()
        return true
    }

    private func logSummary(interval: Int) {
        CorrelationContext.$current.withValue(nil) {
            let totals = aggregate.totals
            logger.info("\(HumanLines.summary(totals))", metadata: .payload(SummaryCheckpointPayload(interval: interval, totals: totals)))
            let models = aggregate.modelCounts
            if !models.isEmpty {
                logger.info("\(HumanLines.models(models))", metadata: .payload(EventMarkerPayload(action: EventAction.summaryModels)))
            }
            if !aggregate.errorCounts.isEmpty {
                logger.warning("\(HumanLines.errors(aggregate.errorCounts))", metadata: .payload(EventMarkerPayload(action: EventAction.summaryErrors)))
            }
        }
    }

    /// Client mistakes, and requests cut by an operator's shutdown, are warnings; everything else that
    /// failed is an error.
    static func level(for m: RequestMetrics) -> Logger.Level {
        guard m.isError else { return .info }
        switch m.errorType {
        case "invalid_request", "authentication_error", "client_disconnected", "request_too_large", "not_found", "unknown_provider", "server_shutdown":
            return .warning
        default:
            return .error
        }
    }

    // MARK: views

    public var activeCount: Int { active.count }
    public var completedCount: Int { aggregate.completed }
    public var currentVersion: UInt64 { version }

    public func snapshotAggregate() -> MetricsAggregate { aggregate }

    public func activeRequests() -> [RequestMetrics] {
        active.values.sorted { $0.startMicros != $1.startMicros ? $0.startMicros > $1.startMicros : $0.requestID < $1.requestID }
    }

    /// The in-flight requests (newest first) and the version they belong to, read atomically, so a
    /// change-driven view (the SSE stream) can label what it sends with the version it shows.
    public func activeSnapshot() -> (version: UInt64, requests: [RequestMetrics]) {
        (version, activeRequests())
    }

    public func runningTotals(filter: TotalsFilter = TotalsFilter(), includeActive: Bool = true) -> RunningTotals {
        RunningTotals(aggregate: aggregate, active: includeActive ? Array(active.values) : [], filter: filter, includeActive: includeActive)
    }

    public func recentErrors(limit: Int = 100) -> [TraceEntry] { errors.newest(limit) }
    public func recentTraces(limit: Int = 200) -> [TraceEntry] { traces.newest(limit) }

    // MARK: change notification

    /// Returns the current version as soon as it differs from `seen` (at once if it already does).
    /// Waiters that pass the last version they saw never miss an update; a cancelled waiter leaves
    /// nothing behind.
    public func waitForChange(after seen: UInt64) async -> UInt64 {
        if version != seen || Task.isCancelled { return version }
        let id = nextWaiterID
        nextWaiterID &+= 1
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if Task.isCancelled {
                    continuation.resume(returning: version)
                } else {
                    waiters[id] = continuation
                }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    public var waiterCount: Int { waiters.count }

    private func cancelWaiter(_ id: UInt64) {
        waiters.removeValue(forKey: id)?.resume(returning: version)
    }

    private func bump() {
        version &+= 1
        guard !waiters.isEmpty else { return }
        let woken = waiters
        waiters.removeAll(keepingCapacity: true)
        for continuation in woken.values { continuation.resume(returning: version) }
    }
}

/// What observers of the tracker see.
public enum TrackerEvent: Sendable {
    case started(RequestMetrics)
    case completed(RequestMetrics)
    /// Ended, logged, but not in the totals (`RequestTracker.end` says why in an error line).
    case refused(RequestMetrics, SumError)
}
