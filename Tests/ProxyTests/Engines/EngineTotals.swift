import LogPipeline
import Testing
@testable import VDMProxy

/// Per-provider / per-model totals, read from two independent outputs: the search engine's own
/// aggregation reply (`logstash/elasticsearch/per-provider-model-totals.opensearch.json`: terms and
/// sums computed by the engine) and `vdm replay --format json`. Only numbers parsed from each output
/// are compared; the only rule applied here is replay's bucket naming (`RequestMetrics.providerKey` /
/// `modelKey`), to name the engine's buckets.
struct EngineTotals: Equatable, CustomStringConvertible {
    struct Model: Equatable {
        var requests = 0, errors = 0
        var inputTokens = 0, outputTokens = 0, cacheReadTokens = 0, cacheCreationTokens = 0
        var toolUses = 0, toolResults = 0, toolCalls = 0
        /// Microseconds: replay prints milliseconds with three decimals, rounded half up to the µs.
        var durationMicros = 0
        var lastAccessed = ""
    }

    /// provider → model → totals.
    var providers: [String: [String: Model]]

    var description: String {
        providers.sorted { $0.key < $1.key }.map { p, models in
            models.sorted { $0.key < $1.key }.map { "\(p)/\($0.key): \($0.value)" }.joined(separator: "\n")
        }.joined(separator: "\n")
    }

    /// The aggregation file the engine runs (OpenSearch has no runtime fields in a search: see
    /// logstash/README.md).
    static let aggregationFile = "elasticsearch/per-provider-model-totals.opensearch.json"

    /// From the engine's reply. A model bucket with an empty resolved model is named by its
    /// `requested_models` sub-buckets, as replay names it.
    init(engineReply reply: JSONValue) throws {
        var providers: [String: [String: Model]] = [:]
        guard let providerBuckets = reply["aggregations"]?["providers"]?["buckets"]?.array else {
            throw TestFailure("no providers buckets in \(reply)")
        }
        for providerBucket in providerBuckets {
            let provider = providerBucket["key"]?.string ?? ""
            for modelBucket in providerBucket["models"]?["buckets"]?.array ?? [] {
                let model = modelBucket["key"]?.string ?? ""
                let parts = model.isEmpty ? (modelBucket["requested_models"]?["buckets"]?.array ?? []) : [modelBucket]
                for part in parts {
                    let requested = model.isEmpty ? (part["key"]?.string ?? "") : ""
                    let metrics = RequestMetrics(requestID: "", requestedModel: requested, resolvedModel: model, provider: provider)
                    let totals = try Self.model(part)
                    providers[metrics.providerKey, default: [:]][metrics.modelKey, default: Model()].add(totals)
                }
            }
        }
        self.providers = providers
    }

    private static func model(_ bucket: JSONValue) throws -> Model {
        func int(_ name: String) throws -> Int {
            // Sums come back as JSON floats ("1234.0"): exact integers below 2^53.
            guard let value = bucket[name]?["value"]?.int else { throw TestFailure("\(name) is not an integer in \(bucket)") }
            return value
        }
        let lastStart = try int("last_start_us")
        let durationNanos = try int("duration_ns")
        return Model(requests: bucket["doc_count"]?.int ?? -1, errors: bucket["errors"]?["doc_count"]?.int ?? -1,
                     inputTokens: try int("input_tokens"), outputTokens: try int("output_tokens"),
                     cacheReadTokens: try int("cache_read_tokens"), cacheCreationTokens: try int("cache_creation_tokens"),
                     toolUses: try int("tool_uses"), toolResults: try int("tool_results"), toolCalls: try int("tool_calls"),
                     durationMicros: (durationNanos + 500) / 1_000, lastAccessed: WallClock.iso8601(micros: Int64(lastStart)))
    }

    /// From `vdm replay --format json` (`providers.<p>.models.<m>.total`).
    init(replayJSON text: String) throws {
        let document = try JSONValue.parse(text)
        var providers: [String: [String: Model]] = [:]
        for (provider, value) in document["providers"]?.object ?? [] {
            for (model, entry) in value["models"]?.object ?? [] {
                guard let total = entry["total"] else { throw TestFailure("no total for \(provider)/\(model)") }
                func int(_ name: String) throws -> Int {
                    guard let value = total[name]?.int else { throw TestFailure("\(provider)/\(model).\(name) is not an integer") }
                    return value
                }
                // "402.153" → 402153 µs, read off the digits (no floating point).
                guard case let .number(ms)? = total["total_duration_ms"], let micros = Int(ms.replacingOccurrences(of: ".", with: "")),
                      ms.split(separator: ".").last?.count == 3 else { throw TestFailure("\(provider)/\(model): total_duration_ms \(String(describing: total["total_duration_ms"]))") }
                providers[provider, default: [:]][model] = Model(
                    requests: try int("requests"), errors: try int("errors"), inputTokens: try int("input_tokens"),
                    outputTokens: try int("output_tokens"), cacheReadTokens: try int("cache_read_tokens"),
                    cacheCreationTokens: try int("cache_creation_tokens"), toolUses: try int("tool_uses"),
                    toolResults: try int("tool_results"), toolCalls: try int("tool_calls"), durationMicros: micros,
                    lastAccessed: entry["last_accessed"]?.string ?? "")
            }
        }
        self.providers = providers
    }

    var requests: Int { providers.values.flatMap(\.values).map(\.requests).reduce(0, +) }
}

extension EngineTotals.Model {
    /// Two engine buckets that replay names alike (requested models that differ only by a prefix).
    mutating func add(_ other: Self) {
        guard requests > 0 else {
            self = other
            return
        }
        requests += other.requests
        errors += other.errors
        inputTokens += other.inputTokens
        outputTokens += other.outputTokens
        cacheReadTokens += other.cacheReadTokens
        cacheCreationTokens += other.cacheCreationTokens
        toolUses += other.toolUses
        toolResults += other.toolResults
        toolCalls += other.toolCalls
        // Rounded per bucket: off by at most one µs per extra bucket; the demo has none.
        durationMicros += other.durationMicros
        lastAccessed = max(lastAccessed, other.lastAccessed)
    }
}
