import CoreMetrics
import LogPipeline
import Synchronization

/// The OpenTelemetry GenAI client metrics, fed by the tracker's observer with the completed requests
/// that entered the totals (the one aggregation path: a request the aggregate refuses is in neither):
///
/// - `gen_ai.client.token.usage` (`{token}`, `gen_ai.token.type` = input | output), recorded when the
///   count is above zero; its sums equal the totals' `input_tokens` / `output_tokens`;
/// - `gen_ai.client.operation.duration` (`s`, `error.type` on failures), one point per request;
/// - `gen_ai.client.operation.time_to_first_chunk` (`s`, streams that produced a chunk): the client-side
///   name the conventions give (vdm is the client of the provider; `gen_ai.server.time_to_first_token`
///   is for the server that generates).
///
/// Attributes: `gen_ai.operation.name` = chat, `gen_ai.provider.name` (the configured provider),
/// `gen_ai.request.model` (the model sent upstream: the totals' model key). Through swift-otel's
/// swift-metrics backend, used directly (never bootstrapped as the process-wide `MetricsSystem`, so no
/// other library's metrics join the export). Cardinality is that of `/metrics`: `MetricLabels` keeps at
/// most `maxModelPairs` provider/model pairs (later ones are `(other)`), error types are the taxonomy.
final class OTLPGenAIMetrics: Sendable {
    static let tokenUsage = "gen_ai.client.token.usage"
    static let operationDuration = "gen_ai.client.operation.duration"
    static let timeToFirstChunk = "gen_ai.client.operation.time_to_first_chunk"

    /// The conventions' explicit bucket boundaries (GenAI metrics, semantic conventions 1.3x).
    static let tokenBuckets: [Double] = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864]
    static let durationBuckets: [Double] = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92]
    static let firstChunkBuckets: [Double] = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0]
    static let buckets: [String: [Double]] = [tokenUsage: tokenBuckets, operationDuration: durationBuckets, timeToFirstChunk: firstChunkBuckets]

    private let factory: any MetricsFactory
    /// The configured redactor. The tracker stores names redacted already (`RequestMetrics+Redaction`),
    /// so this is a no-op today; it keeps this output from depending on that (a model name is whatever
    /// a client sent, a configured key or OTLP header value included).
    private let redactor: Redactor

    private struct SeriesKey: Hashable {
        var pair: MetricLabels.Pair
        var errorType: String?
    }

    private struct Series: Sendable {
        let input: any RecorderHandler
        let output: any RecorderHandler
        let duration: any RecorderHandler
        let firstChunk: any RecorderHandler
    }

    private struct State {
        var labels: MetricLabels
        var series: [SeriesKey: Series] = [:]
    }
    private let state: Mutex<State>

    init(factory: any MetricsFactory, redactor: Redactor, maxModelPairs: Int = 200,
         knownErrorTypes: Set<String> = Set(ProxyError.Kind.allCases.map(\.rawValue) + ["unknown"])) {
        self.factory = factory
        self.redactor = redactor
        self.state = Mutex(State(labels: MetricLabels(maxPairs: maxModelPairs, knownErrorTypes: knownErrorTypes, redactor: redactor)))
    }

    func observe(_ event: TrackerEvent) {
        guard case .completed(let m) = event else { return }
        record(m)
    }

    func record(_ m: RequestMetrics) {
        let series = state.withLock { state -> Series in
            let key = SeriesKey(pair: state.labels.pair(for: m), errorType: m.isError ? state.labels.errorType(m.errorType) : nil)
            if let series = state.series[key] { return series }
            let series = makeSeries(key)
            state.series[key] = series
            return series
        }
        if m.inputTokens > 0 { series.input.record(Int64(m.inputTokens)) }
        if m.outputTokens > 0 { series.output.record(Int64(m.outputTokens)) }
        series.duration.record(Double(max(0, m.durationNanos)) / 1e9)
        if m.isStreaming && m.firstTokenNanos > 0 { series.firstChunk.record(Double(m.firstTokenNanos) / 1e9) }
    }

    private func makeSeries(_ key: SeriesKey) -> Series {
        let common = [
            ("gen_ai.operation.name", "chat"),
            ("gen_ai.provider.name", redactor.redact(key.pair.provider)),
            ("gen_ai.request.model", redactor.redact(key.pair.model)),
        ]
        // swift-otel reads `unit` and `description` dimensions as the instrument's unit and description.
        func recorder(_ name: String, unit: String, _ extra: [(String, String)]) -> any RecorderHandler {
            factory.makeRecorder(label: name, dimensions: [("unit", unit)] + common + extra, aggregate: true)
        }
        let error = key.errorType.map { [("error.type", $0)] } ?? []
        return Series(
            // Only the duration carries `error.type` (as the conventions have it); the registry hands the same
            // token and first-chunk instruments to every error type of a pair.
            input: recorder(Self.tokenUsage, unit: "{token}", [("gen_ai.token.type", "input")]),
            output: recorder(Self.tokenUsage, unit: "{token}", [("gen_ai.token.type", "output")]),
            duration: recorder(Self.operationDuration, unit: "s", error),
            firstChunk: recorder(Self.timeToFirstChunk, unit: "s", []))
    }
}
