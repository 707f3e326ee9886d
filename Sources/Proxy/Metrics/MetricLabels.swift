import LogPipeline

/// Keeps Prometheus label values bounded and clean. Model names come from clients, so without a cap
/// every distinct string would become a new time series (and stay in memory for good).
package struct MetricLabels: Sendable {
    static let overflow = AggregateLimits.overflowKey  // "(other)", the same word the aggregate uses
    package static let maxValueLength = 128

    /// Distinct provider/model pairs kept as their own series; later pairs share
    /// `model="(other)"` under their provider (providers come from configuration, so they are few).
    let maxPairs: Int
    /// Error types shown as themselves; anything else is `(other)`.
    let knownErrorTypes: Set<String>
    private var admitted: Set<Pair> = []

    struct Pair: Hashable, Sendable {
        var provider: String
        var model: String
    }

    package init(maxPairs: Int, knownErrorTypes: Set<String>) {
        self.maxPairs = max(1, maxPairs)
        self.knownErrorTypes = knownErrorTypes
    }

    var admittedCount: Int { admitted.count }

    /// The labels a request is counted under.
    mutating func pair(for m: RequestMetrics) -> Pair {
        let pair = Pair(provider: Self.clean(m.providerKey), model: Self.clean(m.modelKey))
        if admitted.contains(pair) { return pair }
        if admitted.count < maxPairs {
            admitted.insert(pair)
            return pair
        }
        return Pair(provider: pair.provider, model: Self.overflow)
    }

    package func errorType(_ type: String?) -> String {
        let type = type ?? "unknown"
        return knownErrorTypes.contains(type) ? type : Self.overflow
    }

    /// Secrets redacted (a client can send anything as a model name), control characters replaced,
    /// length capped. Prometheus' writer escapes `\`, `"` and newlines itself.
    package static func clean(_ value: String) -> String {
        let redacted = Redactor().redact(value)
        var scalars = String.UnicodeScalarView()
        var count = 0
        for scalar in redacted.unicodeScalars {
            guard count < maxValueLength else { break }
            scalars.append(scalar.value < 0x20 || scalar.value == 0x7F ? "\u{FFFD}" : scalar)
            count += 1
        }
        let cleaned = String(scalars)
        return cleaned.isEmpty ? "unknown" : cleaned
    }
}
