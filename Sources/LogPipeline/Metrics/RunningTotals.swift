/// The hierarchical running totals (summary → providers → models), filtered, with in-flight requests
/// optionally counted — once. Built the same way from the live tracker and from replay.
public struct RunningTotals: Sendable, Equatable {
    public struct ModelView: Sendable, Equatable {
        public var name: String
        public var lastAccessedMicros: Int64
        public var counters: SplitCounters
    }

    public struct ProviderView: Sendable, Equatable {
        public var name: String
        public var lastAccessedMicros: Int64
        public var rollup: SplitCounters
        /// Sorted by name.
        public var models: [ModelView]
    }

    public var filter: TotalsFilter
    public var includeActive: Bool
    public var summary: MetricCounters
    /// The summary split by streaming / non-streaming (its `total` equals `summary`): the overall
    /// streaming and non-streaming averages, so no reader has to recompute them from the providers.
    public var summarySplit: SplitCounters
    /// In-flight requests counted in these totals (0 when `includeActive` is false).
    public var activeRequests: Int
    /// Latest request start among what is counted; nil when nothing is.
    public var lastAccessedMicros: Int64?
    /// Sorted by name.
    public var providers: [ProviderView]

    public init(aggregate: MetricsAggregate, active: [RequestMetrics], filter: TotalsFilter, includeActive: Bool) {
        self.filter = filter
        self.includeActive = includeActive
        var byProvider: [String: [String: MetricsAggregate.ModelBucket]] = [:]
        var providerAccess: [String: Int64] = [:]
        for (providerName, provider) in aggregate.providers where filter.admits(provider: providerName) {
            for (modelName, model) in provider.models where filter.admits(model: modelName) {
                byProvider[providerName, default: [:]][modelName] = model
                providerAccess[providerName] = max(providerAccess[providerName] ?? 0, model.lastAccessedMicros)
            }
        }
        var activeCount = 0
        if includeActive {
            // In-flight values within `RecordBounds` (≤ 2^40 each), on top of totals ≤ 2^62, cannot reach
            // Int64.max for any number of requests memory can hold; one outside them is left out here,
            // as its completion will be.
            for m in active where filter.admits(provider: m.providerKey) && filter.admits(model: m.modelKey)
                && RecordBounds.violation(in: m) == nil {
                activeCount += 1
                var bucket = byProvider[m.providerKey, default: [:]][m.modelKey] ?? MetricsAggregate.ModelBucket()
                bucket.counters.add(m, inFlight: true)
                bucket.lastAccessedMicros = max(bucket.lastAccessedMicros, m.startMicros)
                byProvider[m.providerKey, default: [:]][m.modelKey] = bucket
                providerAccess[m.providerKey] = max(providerAccess[m.providerKey] ?? 0, m.startMicros)
            }
        }
        activeRequests = activeCount
        var summary = SplitCounters()
        var views: [ProviderView] = []
        for (providerName, models) in byProvider {
            var rollup = SplitCounters()
            var modelViews: [ModelView] = []
            for (modelName, bucket) in models {
                rollup.merge(bucket.counters)
                modelViews.append(ModelView(name: modelName, lastAccessedMicros: bucket.lastAccessedMicros, counters: bucket.counters))
            }
            modelViews.sort { $0.name < $1.name }
            summary.merge(rollup)
            views.append(ProviderView(name: providerName, lastAccessedMicros: providerAccess[providerName] ?? 0, rollup: rollup, models: modelViews))
        }
        views.sort { $0.name < $1.name }
        self.summary = summary.total
        self.summarySplit = summary
        self.providers = views
        let latest = views.map(\.lastAccessedMicros).max() ?? 0
        self.lastAccessedMicros = latest > 0 ? latest : nil
    }
}
