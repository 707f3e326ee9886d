package import Journald
package import LogPipeline
package import Prometheus
import Synchronization

/// Prometheus series for the proxy's requests, fed with `RequestMetrics` — by the live tracker's
/// observer (`observe`) or by anything else that has completed requests (`record`), e.g. a replay of
/// log files — so every producer of metrics shares one vocabulary. Knows nothing of HTTP: the
/// `/metrics` route only calls `emit(into:)`.
package final class MetricsExporter: Sendable {
    package struct Configuration: Sendable {
        /// Distinct provider/model label pairs before new models are counted as `(other)`.
        package var maxModelPairs = 200
        /// The error taxonomy (docs/errors.md) plus `unknown` (an error without a type).
        var knownErrorTypes: Set<String> = Set(ProxyError.Kind.allCases.map(\.rawValue) + ["unknown"])
        /// The families about the running process (`MetricNames.processFamilies`: in-flight gauge, log
        /// records, log fallback). A replay of log files has no process: it leaves them out.
        package var processFamilies = true

        package init() {}
    }

    package let registry: PrometheusCollectorRegistry
    private let configuration: Configuration

    private struct SeriesKey: Hashable {
        var pair: MetricLabels.Pair
        var streaming: Bool
    }

    /// One provider/model/streaming combination's handles, made once and reused (the registry's
    /// lookup takes a lock and hashes the labels on every call).
    private struct Series: Sendable {
        let requests: Counter
        let input: Counter
        let output: Counter
        let cacheRead: Counter
        let cacheCreation: Counter
        let duration: DurationHistogram
        let upstream: DurationHistogram
        let overhead: DurationHistogram
        let firstToken: DurationHistogram?
    }

    private struct State {
        package var labels: MetricLabels
        var series: [SeriesKey: Series] = [:]
        var logRecordsSeen: UInt64 = 0
        /// One gauge per fallen-back output; a pair that no longer holds is unregistered, not left at 0.
        var fallbackGauges: [LogFallback: Gauge] = [:]
        /// Per sink: its counter and the drops it already holds.
        var dropped: [String: (counter: Counter, seen: UInt64)] = [:]
    }

    private let state: Mutex<State>
    private let inFlight: Gauge?
    private let logRecords: Counter?
    private let logFallback: Gauge?
    private let clientTelemetry: Counter?

    package init(configuration: Configuration = Configuration(), registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        self.configuration = configuration
        self.state = Mutex(State(labels: MetricLabels(maxPairs: configuration.maxModelPairs, knownErrorTypes: configuration.knownErrorTypes)))
        let process = configuration.processFamilies
        self.inFlight = process ? registry.makeGauge(descriptor: MetricNames.inFlight) : nil
        self.logRecords = process ? registry.makeCounter(descriptor: MetricNames.logRecords) : nil
        self.logFallback = process ? registry.makeGauge(descriptor: MetricNames.logFallback) : nil
        self.clientTelemetry = process ? registry.makeCounter(descriptor: MetricNames.clientTelemetry) : nil
    }

    /// The tracker's observer: starts move the in-flight gauge, completions are recorded.
    package func observe(_ event: TrackerEvent) {
        switch event {
        case .started:
            inFlight?.increment()
        case .completed(let m):
            inFlight?.decrement()
            record(m)
        case .refused:
            // Not in the totals, so not in the series either (replay leaves it out the same way).
            inFlight?.decrement()
        }
    }

    /// Counts one completed request.
    package func record(_ m: RequestMetrics) {
        let (series, pair, errorType) = state.withLock { state -> (Series, MetricLabels.Pair, String?) in
            let pair = state.labels.pair(for: m)
            let key = SeriesKey(pair: pair, streaming: m.isStreaming)
            let series = state.series[key] ?? makeSeries(key)
            state.series[key] = series
            return (series, pair, m.isError ? state.labels.errorType(m.errorType) : nil)
        }
        series.requests.increment()
        // Negative counts can only come from a confused upstream; a counter must never go down.
        series.input.increment(by: Int64(max(0, m.inputTokens)))
        series.output.increment(by: Int64(max(0, m.outputTokens)))
        series.cacheRead.increment(by: Int64(max(0, m.cacheReadTokens)))
        series.cacheCreation.increment(by: Int64(max(0, m.cacheCreationTokens)))
        series.duration.record(.nanoseconds(max(0, m.durationNanos)))
        if m.upstreamNanos > 0 {
            series.upstream.record(.nanoseconds(m.upstreamNanos))
            series.overhead.record(.nanoseconds(max(0, m.durationNanos - m.upstreamNanos)))
        }
        if let firstToken = series.firstToken, m.firstTokenNanos > 0 {
            firstToken.record(.nanoseconds(m.firstTokenNanos))
        }
        if let errorType {
            registry.makeCounter(descriptor: MetricNames.errors, labels: [
                ("provider", pair.provider), ("model", pair.model), ("streaming", String(m.isStreaming)), ("error_type", errorType),
            ]).increment()
        }
    }

    /// One client telemetry post answered locally (`ClientTelemetryHandler`).
    func countClientTelemetry() {
        clientTelemetry?.increment()
    }

    /// The journald/syslog hook: how many records the log router has emitted, and which requested
    /// outputs fell back (to what). Called before each scrape (the router counts; this mirrors it).
    /// `dropped`: each sink's records dropped so far (`vdm_log_records_dropped_total{sink}`, 0 included,
    /// so an alert can see the series before the first drop).
    package func updateLogging(recordsEmitted: UInt64, fallbacks: [LogFallback], dropped: [(sink: String, dropped: UInt64)] = []) {
        let delta = state.withLock { state -> UInt64 in
            // Under the lock, so two scrapes at once cannot register the same gauge twice.
            updateFallbackGauges(Set(fallbacks), in: &state)
            if configuration.processFamilies { updateDropCounters(dropped, in: &state) }
            guard recordsEmitted > state.logRecordsSeen else { return 0 }
            defer { state.logRecordsSeen = recordsEmitted }
            return recordsEmitted - state.logRecordsSeen
        }
        if delta > 0 { logRecords?.increment(by: Int64(clamping: delta)) }
        logFallback?.set(to: fallbacks.isEmpty ? 0.0 : 1.0)
    }

    private func updateDropCounters(_ dropped: [(sink: String, dropped: UInt64)], in state: inout State) {
        // Two outputs with one name (not selectable today) would share a series: sum them.
        var totals: [String: UInt64] = [:]
        for (sink, count) in dropped { totals[sink, default: 0] &+= count }
        for (sink, total) in totals {
            let entry = state.dropped[sink]
                ?? (registry.makeCounter(descriptor: MetricNames.logRecordsDropped, labels: [("sink", sink)]), 0)
            if total > entry.seen { entry.counter.increment(by: Int64(clamping: total - entry.seen)) }
            state.dropped[sink] = (entry.counter, max(total, entry.seen))
        }
    }

    private func updateFallbackGauges(_ fallbacks: Set<LogFallback>, in state: inout State) {
        for (fallback, gauge) in state.fallbackGauges where !fallbacks.contains(fallback) {
            registry.unregisterGauge(gauge)
            state.fallbackGauges[fallback] = nil
        }
        for fallback in fallbacks where state.fallbackGauges[fallback] == nil {
            let gauge = registry.makeGauge(descriptor: MetricNames.logSinkFallback, labels: [("sink", fallback.sink), ("to", fallback.to)])
            gauge.set(to: 1.0)
            state.fallbackGauges[fallback] = gauge
        }
    }

    /// Distinct provider/model pairs with series of their own (at most `maxModelPairs`).
    package var labelPairs: Int { state.withLock { $0.labels.admittedCount } }

    /// The text exposition format (version 0.0.4) appended to `buffer`, in `ExpositionOrder`.
    package func emit(into buffer: inout [UInt8]) {
        var raw: [UInt8] = []
        raw.reserveCapacity(16 << 10)
        registry.emit(into: &raw)
        buffer.append(contentsOf: ExpositionOrder.canonical(raw))
    }

    /// `emit(into:)` as text.
    package var exposition: String {
        var buffer: [UInt8] = []
        emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    private func makeSeries(_ key: SeriesKey) -> Series {
        let base = [("provider", key.pair.provider), ("model", key.pair.model)]
        let split = base + [("streaming", String(key.streaming))]
        func tokens(_ type: String) -> Counter {
            registry.makeCounter(descriptor: MetricNames.tokens, labels: base + [("type", type)])
        }
        return Series(
            requests: registry.makeCounter(descriptor: MetricNames.requests, labels: split),
            input: tokens("input"),
            output: tokens("output"),
            cacheRead: tokens("cache_read"),
            cacheCreation: tokens("cache_creation"),
            duration: registry.makeDurationHistogram(descriptor: MetricNames.duration, labels: split, buckets: MetricNames.durationBuckets),
            upstream: registry.makeDurationHistogram(descriptor: MetricNames.upstream, labels: split, buckets: MetricNames.durationBuckets),
            overhead: registry.makeDurationHistogram(descriptor: MetricNames.overhead, labels: split, buckets: MetricNames.overheadBuckets),
            firstToken: key.streaming
                ? registry.makeDurationHistogram(descriptor: MetricNames.firstToken, labels: base, buckets: MetricNames.firstTokenBuckets)
                : nil)
    }
}
