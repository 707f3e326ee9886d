/// A request's place in a W3C trace (https://www.w3.org/TR/trace-context/): the trace it belongs to
/// and vdm's own span in it, the span the upstream call names as its parent. Written as ECS
/// `trace.id` / `span.id`.
///
/// Only valid values can be made: 32 and 16 lowercase hex digits, not all zero. So what reaches a
/// record is bounded (48 bytes) and needs neither escaping nor redaction, whatever a client sent.
public struct TraceIDs: Sendable, Hashable {
    public let traceID: String
    public let spanID: String
    /// The trace flags (bit 0: sampled) and the client's `tracestate` (validated, ≤ `maxStateBytes`):
    /// sent upstream, not written into records.
    public let flags: UInt8
    public let state: String?

    public static let maxStateBytes = 512

    /// nil unless both ids are valid (lowercase hex of the right length, not all zero) and the state
    /// is within its bound.
    public init?(traceID: some StringProtocol, spanID: some StringProtocol, flags: UInt8 = 0x01, state: String? = nil) {
        guard Self.isID(traceID, digits: 32), Self.isID(spanID, digits: 16) else { return nil }
        if let state, state.utf8.count > Self.maxStateBytes { return nil }
        self.traceID = String(traceID)
        self.spanID = String(spanID)
        self.flags = flags
        self.state = state
    }

    /// vdm's span in the trace `traceID` when that is a valid id (keeping `flags` and `state`), else
    /// in a new random trace (sampled, no state); the span id is always new.
    public static func span<G: RandomNumberGenerator>(inTrace traceID: String?, flags: UInt8, state: String?,
                                                      using generator: inout G) -> TraceIDs {
        let span = randomID(bytes: 8, using: &generator)
        if let traceID, let ids = TraceIDs(traceID: traceID, spanID: span, flags: flags, state: state) { return ids }
        return TraceIDs(validTraceID: randomID(bytes: 16, using: &generator), spanID: span)
    }

    private init(validTraceID: String, spanID: String) {
        traceID = validTraceID
        self.spanID = spanID
        flags = 0x01
        state = nil
    }

    /// `digits` lowercase hex digits, at least one not `0` (W3C: an all-zero id is invalid).
    public static func isID(_ text: some StringProtocol, digits: Int) -> Bool {
        let utf8 = text.utf8
        guard utf8.count == digits else { return false }
        var nonZero = false
        for c in utf8 {
            switch c {
            case UInt8(ascii: "0"): continue
            case UInt8(ascii: "1")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"): nonZero = true
            default: return false
            }
        }
        return nonZero
    }

    /// A fresh random id of `bytes` bytes as lowercase hex, never all zero. One `next()` per 8 bytes
    /// (the system generator costs a syscall per call, and this runs for every request).
    public static func randomID<G: RandomNumberGenerator>(bytes: Int, using generator: inout G) -> String {
        let hex = Array("0123456789abcdef".utf8)
        while true {
            var out: [UInt8] = []
            out.reserveCapacity(bytes * 2)
            var word: UInt64 = 0
            for i in 0..<bytes {
                if i % 8 == 0 { word = generator.next() }
                let b = UInt8(truncatingIfNeeded: word >> UInt64((i % 8) * 8))
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 0x0F)])
            }
            if out.contains(where: { $0 != UInt8(ascii: "0") }) { return String(decoding: out, as: UTF8.self) }
        }
    }
}
