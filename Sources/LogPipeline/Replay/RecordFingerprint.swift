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
        var h = StableHasher(tag: 1)
        for text in [m.requestID, m.requestedModel, m.resolvedModel, m.provider, m.error ?? "\u{0}", m.errorType ?? "\u{0}", m.stopReason ?? "\u{0}"] {
            h.combine(text)
        }
        for v in [m.startMicros, m.durationNanos, m.upstreamNanos, m.firstTokenNanos, Int64(m.inputTokens), Int64(m.outputTokens),
                  Int64(m.cacheReadTokens), Int64(m.cacheCreationTokens), Int64(m.toolUses), Int64(m.toolResults), Int64(m.toolCalls),
                  Int64(m.messageCount), Int64(m.requestBytes), Int64(m.responseBytes), Int64(m.httpStatus), m.isStreaming ? 1 : 0] {
            h.combine(UInt64(bitPattern: v))
        }
        return h.value
    }

    /// Any other record (or a completed one the totals cannot use), from its envelope and message.
    static func of(_ kind: RecordKind, _ parser: RecordParser) -> UInt64 {
        var h = StableHasher(tag: 2)
        h.combine(UInt64(kind.tag))
        for field in [RecordField.action, .requestID, .level, .logger, .message] {
            if parser.withStringBytes(field, { h.combine($0) }) == nil { h.combine(0xFFFF_FFFF_FFFF_FFFF) }
        }
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
