import Foundation
import LogPipeline
import Logging

/// `vdm bench gen-logs`: a realistic log for the replay benchmark, written with the real encoder:
/// several instances (process lifetimes) one after another, requests overlapping (started,
/// library lines with the correlation id, completed, out of order), a checkpoint with its models
/// and errors lines every 100 completions, and ordinary lines without a request.
package enum LogGenerator {
    static let catalogue: [(provider: String, model: String)] = [
        ("openai", "gpt-4o"), ("openai", "gpt-4o-mini"), ("openai", "o3-mini"), ("anthropic", "claude-3-5-sonnet-20241022"),
        ("anthropic", "claude-3-5-haiku-20241022"), ("openrouter", "kwaipilot/kat-coder-pro:free"),
        ("openrouter", "deepseek/deepseek-chat-v3"), ("poe", "Claude-Sonnet-4"), ("azure", "gpt-4.1"), ("ollama", "qwen2.5-coder:32b"),
    ]
    static let errors = ["upstream_5xx", "upstream_timeout", "invalid_request", "client_disconnected", "rate_limited"]

    struct Instance {
        var id: String
        var sequence: UInt64 = 0
        var aggregate = MetricsAggregate()
    }

    /// Writes about `bytes` bytes of records to `path`; returns the number of records written.
    package static func generate(bytes target: Int, path: String, instances: Int, seed: UInt64) throws -> Int {
        let handle = try openForWriting(path)
        defer { try? handle.close() }
        var rng = SplitMix64(state: seed)
        let encoder = ECSJSONEncoder()
        var out: [UInt8] = []
        out.reserveCapacity(8 << 20)
        var written = 0
        var records = 0
        var clock: Int64 = 1_795_907_289_382_331
        let perInstance = max(1, target / max(1, instances))
        for n in 0..<max(1, instances) {
            var instance = Instance(id: String(format: "%08x-0000-4000-8000-%012llx", UInt32(truncatingIfNeeded: seed), UInt64(n) * 7919 + seed))
            var inFlight: [RequestMetrics] = []
            var instanceBytes = 0
            func emit(_ level: LogLevelName, _ message: String, logger: String, id: String?, payload: (any StructuredPayload)?) {
                instance.sequence += 1
                clock += Int64(rng.next() % 5_000)
                let record = LogRecord(timestampMicros: clock, level: level.level, message: message, logger: logger, instanceID: instance.id,
                                       sequence: instance.sequence, correlationID: id, payload: payload)
                let before = out.count
                encoder.encode(record, into: &out)
                instanceBytes += out.count - before
                records += 1
            }
            while instanceBytes < perInstance || !inFlight.isEmpty {
                if instanceBytes < perInstance && (inFlight.count < 2 || (inFlight.count < 16 && rng.next() % 2 == 0)) {
                    let pick = catalogue[Int(rng.next() % UInt64(catalogue.count))]
                    let m = RequestMetrics(
                        requestID: String(format: "%08x-%04x-4%03x-8%03x-%012llx", UInt32(truncatingIfNeeded: rng.next()), UInt16(truncatingIfNeeded: rng.next()),
                                          UInt16(rng.next() % 4096), UInt16(rng.next() % 4096), rng.next() & 0xFFFF_FFFF_FFFF),
                        requestedModel: "\(pick.provider):\(pick.model)", resolvedModel: pick.model, provider: pick.provider,
                        isStreaming: rng.next() % 3 != 0, startMicros: clock, messageCount: Int(rng.next() % 40) + 1,
                        requestBytes: Int(rng.next() % 200_000) + 200)
                    emit(.info, HumanLines.start(m, toolsDefined: 3, maxTokens: 8192), logger: "vdm.request", id: m.requestID,
                         payload: RequestStartedPayload(metrics: m, toolsDefined: Int(rng.next() % 8), maxTokens: 8192))
                    emit(.debug, "POST /v1/messages", logger: "Hummingbird", id: m.requestID, payload: nil)
                    inFlight.append(m)
                } else {
                    let k = Int(rng.next() % UInt64(inFlight.count))
                    var m = inFlight.remove(at: k)
                    m.durationNanos = Int64(rng.next() % 30_000_000_000) + 50_000_000
                    m.upstreamNanos = m.durationNanos * 9 / 10
                    m.firstTokenNanos = m.isStreaming ? m.durationNanos / 5 : 0
                    m.inputTokens = Int(rng.next() % 20_000)
                    m.outputTokens = Int(rng.next() % 4_000)
                    m.cacheReadTokens = rng.next() % 3 == 0 ? Int(rng.next() % 100_000) : 0
                    m.cacheCreationTokens = rng.next() % 7 == 0 ? Int(rng.next() % 10_000) : 0
                    m.toolUses = Int(rng.next() % 6)
                    m.toolResults = m.toolUses
                    m.toolCalls = Int(rng.next() % 3)
                    m.responseBytes = Int(rng.next() % 50_000)
                    m.stopReason = m.toolCalls > 0 ? "tool_use" : "end_turn"
                    m.httpStatus = 200
                    if rng.next() % 33 == 0 {
                        m.errorType = errors[Int(rng.next() % UInt64(errors.count))]
                        m.error = "upstream returned 502: bad gateway"
                        m.httpStatus = 502
                        m.stopReason = nil
                        emit(.error, "upstream request failed: connection reset by peer", logger: "AsyncHTTPClient", id: m.requestID, payload: nil)
                    }
                    // Generated values are far inside `RecordBounds`; a refusal is a generator bug, reported.
                    try instance.aggregate.add(m)
                    emit(m.isError ? .error : .info, HumanLines.completed(m), logger: "vdm.request", id: m.requestID,
                         payload: RequestCompletedPayload(metrics: m))
                    if instance.aggregate.completed % 100 == 0 {
                        let totals = instance.aggregate.totals
                        emit(.info, HumanLines.summary(totals), logger: "vdm.request", id: nil,
                             payload: SummaryCheckpointPayload(interval: 100, totals: totals))
                        emit(.info, HumanLines.models(instance.aggregate.modelCounts), logger: "vdm.request", id: nil,
                             payload: EventMarkerPayload(action: EventAction.summaryModels))
                        if !instance.aggregate.errorCounts.isEmpty {
                            emit(.warning, HumanLines.errors(instance.aggregate.errorCounts), logger: "vdm.request", id: nil,
                                 payload: EventMarkerPayload(action: EventAction.summaryErrors))
                        }
                    }
                }
                if rng.next() % 50 == 0 { emit(.info, "health check ok", logger: "vdm.health", id: nil, payload: nil) }
                if out.count >= 4 << 20 {
                    handle.write(Data(out))
                    written += out.count
                    out.removeAll(keepingCapacity: true)
                }
            }
        }
        handle.write(Data(out))
        return records
    }

    enum LogLevelName {
        case debug, info, warning, error
        var level: Logger.Level {
            switch self {
            case .debug: .debug
            case .info: .info
            case .warning: .warning
            case .error: .error
            }
        }
    }

    /// `1G`, `512M`, `64K` or a byte count.
    package static func parseSize(_ text: String) -> Int? {
        let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
        if let last = text.uppercased().last, let unit = units[last] {
            return Int(text.dropLast()).map { $0 * unit }
        }
        return Int(text)
    }
}
