/// Completed-request totals: per provider, per model, with the streaming split, error counts and
/// last-access times. A value type fed by the live tracker and by replay alike (one aggregation
/// path), and mergeable, so partial results from many files or machines combine into one.
///
/// Never a trap: a request is admitted only when its values are within `RecordBounds` and the grand
/// totals plus it stay within `RecordBounds.total`; adds and merges are all-or-nothing and throw
/// `SumError` otherwise. Every value is non-negative and every bucket's sum is part of the grand
/// total, so the buckets, the rollups and the in-flight view built on them cannot overflow.
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

    public internal(set) var providers: [String: ProviderBucket] = [:]
    /// Error type → count (`unknown` when an error has no type).
    public internal(set) var errorCounts: [String: Int] = [:]
    public internal(set) var completed = 0
    public let limits: AggregateLimits
    /// Cumulative totals over everything (the sum of every bucket's `total`), kept checked.
    public internal(set) var totals = MetricCounters()

    public init(limits: AggregateLimits = AggregateLimits()) {
        self.limits = limits
    }

    /// Adds one completed request, or throws (and adds nothing) when a value is outside
    /// `RecordBounds` or a grand total would pass `RecordBounds.total`. Mutates the buckets in place
    /// (no copy of a provider's model table per request: replay adds millions of records through here).
    public mutating func add(_ m: RequestMetrics) throws(SumError) {
        let checked: CheckedMetrics
        do throws(BoundViolation) { checked = try CheckedMetrics(m) } catch { throw .outOfBounds(error) }
        try add(checked)
    }

    /// `add` of metrics already checked against `RecordBounds` (replay's, checked as parsed).
    package mutating func add(_ checked: CheckedMetrics) throws(SumError) {
        let m = checked.metrics
        let newTotals = try totals.adding(MetricCounters(m))
        totals = newTotals
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

    /// Adds another aggregate, or throws (and adds nothing) when a grand total would pass
    /// `RecordBounds.total`. Commutative and associative (below the caps), so file order does not matter.
    public mutating func merge(_ other: MetricsAggregate) throws(SumError) {
        let newTotals = try totals.adding(other.totals)
        totals = newTotals
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

    // MARK: stored form (a `--state` file: outside input, checked as such)

    enum CodingKeys: String, CodingKey { case providers, errorCounts, completed, limits }

    /// Decodes and checks a stored aggregate: every counter within `RecordBounds.total`, each
    /// bucket's split adding up to its total, error counts and `completed` agreeing with the sums.
    /// The grand totals are recomputed (checked), never trusted.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let limits = try c.decode(AggregateLimits.self, forKey: .limits)
        let providers = try c.decode([String: ProviderBucket].self, forKey: .providers)
        let errorCounts = try c.decode([String: Int].self, forKey: .errorCounts)
        let completed = try c.decode(Int.self, forKey: .completed)
        func invalid(_ why: String) -> DecodingError {
            DecodingError.dataCorruptedError(forKey: .providers, in: c, debugDescription: SumError.invalidPartial(why).description)
        }
        guard limits.isValid else { throw invalid("limits out of range") }
        var totals = MetricCounters()
        for (providerName, provider) in providers {
            guard RecordBounds.startMicros.contains(provider.lastAccessedMicros) else { throw invalid("\(providerName): last access out of range") }
            for (modelName, model) in provider.models {
                guard model.counters.isConsistent, model.counters.total.inFlight == 0,
                      RecordBounds.startMicros.contains(model.lastAccessedMicros) else {
                    throw invalid("\(providerName) / \(modelName): counters out of range or inconsistent")
                }
                do throws(SumError) { totals = try totals.adding(model.counters.total) } catch { throw invalid("\(error)") }
            }
        }
        var errors = 0
        for (type, count) in errorCounts {
            guard RecordBounds.total.contains(Int64(count)), !errors.addingReportingOverflow(count).overflow else { throw invalid("error count of \(type) out of range") }
            errors += count
        }
        guard completed == totals.requests, errors == totals.errors else { throw invalid("request or error counts disagree with the buckets") }
        self.limits = limits
        self.providers = providers
        self.errorCounts = errorCounts
        self.completed = completed
        self.totals = totals
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

    /// Caps a stored state may carry (`admit` needs at least one slot besides the overflow bucket).
    var isValid: Bool {
        let range = 2...10_000_000
        return range.contains(maxProviders) && range.contains(maxModelsPerProvider) && range.contains(maxErrorTypes)
    }

    /// The key to store under: itself if present or room remains, else the overflow key.
    /// One slot is kept for the overflow bucket itself.
    func admit(_ key: String, among count: Int, exists: Bool, cap: Int) -> String {
        if exists || count < cap - 1 || key == Self.overflowKey { return key }
        return Self.overflowKey
    }
}
