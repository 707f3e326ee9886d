/// The binary form of a block's `MetricsAggregate` in the spill file (`SlotSpill`): written and read
/// back by this process only, so compact and fast rather than self-describing (the `--state` JSON
/// costs ~17% of a replay's CPU per block encoded and decoded). Little-endian; strings as a 32-bit
/// length and their UTF-8 bytes; every counter as 64 bits, in the order of `MetricCounters.fields`.
/// Reading checks every length against the bytes (nil when they do not add up).
enum SpilledAggregate {
    static func encode(_ a: MetricsAggregate, into bytes: inout [UInt8]) {
        var w = Writer(bytes: bytes)
        w.int(a.completed)
        w.int(a.providers.count)
        for (name, provider) in a.providers {
            w.string(name)
            w.int64(provider.lastAccessedMicros)
            w.int(provider.models.count)
            for (modelName, model) in provider.models {
                w.string(modelName)
                w.int64(model.lastAccessedMicros)
                for section in [model.counters.total, model.counters.streaming, model.counters.nonStreaming] {
                    for v in section.fields { w.int64(v) }
                }
            }
        }
        w.int(a.errorCounts.count)
        for (type, count) in a.errorCounts {
            w.string(type)
            w.int(count)
        }
        bytes = w.bytes
    }

    /// The aggregate `encode` wrote (its totals, kept in memory, given back as they were).
    static func decode(_ bytes: [UInt8], limits: AggregateLimits, totals: MetricCounters) -> MetricsAggregate? {
        var r = Reader(bytes: bytes)
        var a = MetricsAggregate(limits: limits)
        guard let completed = r.int(), let providers = r.count() else { return nil }
        a.completed = completed
        for _ in 0..<providers {
            guard let name = r.string(), let last = r.int64(), let models = r.count() else { return nil }
            var provider = MetricsAggregate.ProviderBucket()
            provider.lastAccessedMicros = last
            for _ in 0..<models {
                guard let modelName = r.string(), let modelLast = r.int64() else { return nil }
                var model = MetricsAggregate.ModelBucket()
                model.lastAccessedMicros = modelLast
                var sections: [MetricCounters] = []
                for _ in 0..<3 {
                    var values: [Int64] = []
                    for _ in 0..<MetricCounters.fieldCount {
                        guard let v = r.int64() else { return nil }
                        values.append(v)
                    }
                    guard let section = MetricCounters(fields: values) else { return nil }
                    sections.append(section)
                }
                model.counters.total = sections[0]
                model.counters.streaming = sections[1]
                model.counters.nonStreaming = sections[2]
                provider.models[modelName] = model
            }
            a.providers[name] = provider
        }
        guard let types = r.count() else { return nil }
        for _ in 0..<types {
            guard let type = r.string(), let count = r.int() else { return nil }
            a.errorCounts[type] = count
        }
        guard r.atEnd else { return nil }
        a.totals = totals
        return a
    }

    private struct Writer {
        var bytes: [UInt8]
        mutating func int64(_ v: Int64) {
            let u = UInt64(bitPattern: v)
            for k in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: u >> (8 * UInt64(k)))) }
        }
        mutating func int(_ v: Int) { int64(Int64(v)) }
        mutating func string(_ s: String) {
            let utf8 = Array(s.utf8)
            for k in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: UInt32(clamping: utf8.count) >> (8 * UInt32(k)))) }
            bytes += utf8
        }
    }

    private struct Reader {
        let bytes: [UInt8]
        var at = 0
        var atEnd: Bool { at == bytes.count }
        mutating func take(_ n: Int) -> ArraySlice<UInt8>? {
            guard n >= 0, n <= bytes.count - at else { return nil }
            defer { at += n }
            return bytes[at..<(at + n)]
        }
        mutating func int64() -> Int64? {
            guard let b = take(8) else { return nil }
            return Int64(bitPattern: b.reversed().reduce(0) { $0 << 8 | UInt64($1) })
        }
        mutating func int() -> Int? { int64().map { Int($0) } }
        /// A count of entries that follow (each at least one byte long, so never more than the bytes left).
        mutating func count() -> Int? {
            guard let n = int(), n >= 0, n <= bytes.count - at else { return nil }
            return n
        }
        mutating func string() -> String? {
            guard let b = take(4) else { return nil }
            let n = Int(b.reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
            return take(n).map { String(decoding: $0, as: UTF8.self) }
        }
    }
}

extension MetricCounters {
    /// Every stored counter (SpilledAggregateTests checks the count against the type's own
    /// properties, so a counter added later cannot be left out of the spill file unnoticed).
    package static let fieldCount = 11

    /// The counters in a fixed order (the spill file's).
    package var fields: [Int64] {
        [Int64(requests), Int64(errors), Int64(inputTokens), Int64(outputTokens), Int64(cacheReadTokens), Int64(cacheCreationTokens),
         Int64(toolUses), Int64(toolResults), Int64(toolCalls), durationNanos, Int64(inFlight)]
    }

    /// Counters from `fields`' order (nil for another count of values).
    package init?(fields v: [Int64]) {
        guard v.count == Self.fieldCount else { return nil }
        self.init()
        requests = Int(v[0]); errors = Int(v[1]); inputTokens = Int(v[2]); outputTokens = Int(v[3])
        cacheReadTokens = Int(v[4]); cacheCreationTokens = Int(v[5]); toolUses = Int(v[6]); toolResults = Int(v[7])
        toolCalls = Int(v[8]); durationNanos = v[9]; inFlight = Int(v[10])
    }
}
