/// Completed-request totals: per provider, per model, with the streaming split, error counts and
/// last-access times. A value type fed by the live tracker and by replay alike (one aggregation
/// path), and mergeable, so partial results from many files or machines combine into one.
public struct MetricsAggregate: Sendable, Equatable, Codable {
    public struct ModelBucket: Sendable, Equatable, Codable {
        public var counters = SplitCounters()
        /// Latest request start seen, µs since the epoch.
        public var lastAccessedMicros: Int64 = 0

        mutating func add(_ m: RequestMetrics) {
            counters.add(m)
            lastAccessedMicros = max(lastAccessedMicros, m.startMicros)
        }
    }

    public struct ProviderBucket: Sendable, Equatable, Codable {
        public var models: [String: ModelBucket] = [:]
        public var lastAccessedMicros: Int64 = 0

        mutating func add(_ m: RequestMetrics, limits: AggregateLimits) {
            let name = m.modelKey
            let modelKey = limits.admit(name, among: models.count, exists: models[name] != nil, cap: limits.maxModelsPerProvider)
            models[modelKey, default: ModelBucket()].add(m)
            lastAccessedMicros = max(lastAccessedMicros, m.startMicros)
        }
    }

    public var providers: [String: ProviderBucket] = [:]
    /// Error type → count (`unknown` when an error has no type).
    public var errorCounts: [String: Int] = [:]
    public var completed = 0
    public var limits: AggregateLimits

    public init(limits: AggregateLimits = AggregateLimits()) {
        self.limits = limits
    }

    /// Adds one completed request. Mutates the buckets in place (no copy of a provider's model
    /// table per request: replay adds millions of records through here).
    public mutating func add(_ m: RequestMetrics) {
        completed += 1
        let name = m.providerKey
        let providerKey = limits.admit(name, among: providers.count, exists: providers[name] != nil, cap: limits.maxProviders)
        providers[providerKey, default: ProviderBucket()].add(m, limits: limits)
        if m.isError {
            let type = m.errorType ?? "unknown"
            let key = limits.admit(type, among: errorCounts.count, exists: errorCounts[type] != nil, cap: limits.maxErrorTypes)
            errorCounts[key, default: 0] += 1
        }
    }

    /// Adds another aggregate. Commutative and associative (below the caps), so file order does not matter.
    public mutating func merge(_ other: MetricsAggregate) {
        completed += other.completed
        for (name, theirs) in other.providers {
            let providerKey = limits.admit(name, among: providers.count, exists: providers[name] != nil, cap: limits.maxProviders)
            var mine = providers[providerKey] ?? ProviderBucket()
            for (modelName, model) in theirs.models {
                let modelKey = limits.admit(modelName, among: mine.models.count, exists: mine.models[modelName] != nil, cap: limits.maxModelsPerProvider)
                var bucket = mine.models[modelKey] ?? ModelBucket()
                bucket.counters.merge(model.counters)
                bucket.lastAccessedMicros = max(bucket.lastAccessedMicros, model.lastAccessedMicros)
                mine.models[modelKey] = bucket
            }
            mine.lastAccessedMicros = max(mine.lastAccessedMicros, theirs.lastAccessedMicros)
            providers[providerKey] = mine
        }
        for (type, count) in other.errorCounts {
            let key = limits.admit(type, among: errorCounts.count, exists: errorCounts[type] != nil, cap: limits.maxErrorTypes)
            errorCounts[key, default: 0] += count
        }
    }

    /// Cumulative totals over everything.
    public var totals: MetricCounters {
        var sum = MetricCounters()
        for provider in providers.values {
            for model in provider.models.values { sum.merge(model.counters.total) }
        }
        return sum
    }

    /// Requests per model name across providers, for the `MODELS |` summary line.
    public var modelCounts: [String: Int] {
        var counts: [String: Int] = [:]
        for provider in providers.values {
            for (name, model) in provider.models { counts[name, default: 0] += model.counters.total.requests }
        }
        return counts
    }

    public var lastAccessedMicros: Int64 {
        providers.values.map(\.lastAccessedMicros).max() ?? 0
    }
}

/// Caps on anything keyed by client-controlled strings (model names, provider names, error types).
/// Past a cap, new keys share one overflow bucket, so memory stays bounded whatever clients send.
public struct AggregateLimits: Sendable, Equatable, Codable {
    public static let overflowKey = "(other)"
    public var maxProviders: Int
    public var maxModelsPerProvider: Int
    public var maxErrorTypes: Int

    public init(maxProviders: Int = 100, maxModelsPerProvider: Int = 1_000, maxErrorTypes: Int = 100) {
        self.maxProviders = maxProviders
        self.maxModelsPerProvider = maxModelsPerProvider
        self.maxErrorTypes = maxErrorTypes
    }

    /// The key to store under: itself if present or room remains, else the overflow key.
    /// One slot is kept for the overflow bucket itself.
    func admit(_ key: String, among count: Int, exists: Bool, cap: Int) -> String {
        if exists || count < cap - 1 || key == Self.overflowKey { return key }
        return Self.overflowKey
    }
}
