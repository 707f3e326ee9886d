/// A 64-bit digest of what a record says, the same in every process and on every machine (so
/// `--state` files from several machines compare): two copies of one record have the same
/// fingerprint; a different record under the same (instance, sequence) almost surely has another.
///
/// It covers what the analyzer reads, not the line's bytes, so a shipper that re-encodes JSON
/// (key order, escapes) still delivers "the same record": a completed request's every metric; for
/// any other record its action, request id, level, logger and message.
enum RecordFingerprint {
    /// A completed request the totals can use.
    static func of(_ m: RequestMetrics) -> UInt64 {
        // One call per value, in this order (the order is part of the digest): array literals here
        // were two heap arrays, and their strings retained, per record.
        var h = StableHasher(tag: 1)
        h.combine(m.requestID)
        h.combine(m.requestedModel)
        h.combine(m.resolvedModel)
        h.combine(m.provider)
        h.combine(m.error ?? "\u{0}")
        h.combine(m.errorType ?? "\u{0}")
        h.combine(m.stopReason ?? "\u{0}")
        h.combine(m.startMicros)
        h.combine(m.durationNanos)
        h.combine(m.upstreamNanos)
        h.combine(m.firstTokenNanos)
        h.combine(Int64(m.inputTokens))
        h.combine(Int64(m.outputTokens))
        h.combine(Int64(m.cacheReadTokens))
        h.combine(Int64(m.cacheCreationTokens))
        h.combine(Int64(m.toolUses))
        h.combine(Int64(m.toolResults))
        h.combine(Int64(m.toolCalls))
        h.combine(Int64(m.messageCount))
        h.combine(Int64(m.requestBytes))
        h.combine(Int64(m.responseBytes))
        h.combine(Int64(m.httpStatus))
        h.combine(Int64(m.isStreaming ? 1 : 0))
        return h.value
    }

    /// Any other record (or a completed one the totals cannot use), from its envelope and message.
    static func of(_ kind: RecordKind, _ parser: RecordParser) -> UInt64 {
        var h = StableHasher(tag: 2)
        h.combine(UInt64(kind.tag))
        h.combine(.action, of: parser)
        h.combine(.requestID, of: parser)
        h.combine(.level, of: parser)
        h.combine(.logger, of: parser)
        h.combine(.message, of: parser)
        return h.value
    }
}

/// SplitMix64's finaliser over 8-byte words: deterministic, fast, well mixed (not a MAC: it guards
/// against accidents, not against a forger who could as well write a plain duplicate).
struct StableHasher {
    private(set) var value: UInt64

    init(tag: UInt64) { value = Self.mix(tag) }

    mutating func combine(_ word: UInt64) {
        value = Self.mix(value ^ word)
    }

    mutating func combine(_ v: Int64) {
        combine(UInt64(bitPattern: v))
    }

    /// A string field of the record being read, or a marker when it has none.
    mutating func combine(_ field: RecordField, of parser: RecordParser) {
        if parser.withStringBytes(field, { combine($0) }) == nil { combine(0xFFFF_FFFF_FFFF_FFFF as UInt64) }
    }

    mutating func combine(_ text: String) {
        var text = text
        text.withUTF8 { combine(UnsafeRawBufferPointer($0)) }
    }

    mutating func combine(_ bytes: UnsafeRawBufferPointer) {
        var i = 0
        while i + 8 <= bytes.count {
            combine(bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < bytes.count {
            tail |= UInt64(bytes[i]) << shift
            shift += 8
            i += 1
        }
        combine(tail)
        combine(UInt64(bytes.count))
    }

    private static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension RecordKind {
    var tag: UInt8 {
        switch self {
        case .started: 1
        case .completed: 2
        case .checkpoint: 3
        case .summaryLine: 4
        case .plain: 5
        case .unknownAction: 6
        }
    }
}
