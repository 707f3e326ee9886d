import LogPipeline

// Small, allocation-light helpers for writing the mock's JSON by hand.
//
// The mock builds its replies with string concatenation instead of an encoder: the replies
// have a fixed shape and the key order stays exactly as written, which keeps the fast path
// cheap (the proxy benchmark drives ~1,000 req/s at it) and the bytes deterministic.

package enum MockJSONText {
    /// Concatenates the parts with a single allocation.
    static func concat(_ parts: String...) -> String {
        var count = 0
        for part in parts { count += part.utf8.count }
        var out = ""
        out.reserveCapacity(count)
        for part in parts { out += part }
        return out
    }

    /// `s` as a JSON string literal, quotes included (the one JSON string writer, `JSONBytes`).
    package static func quoted(_ s: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count + 2)
        JSONBytes.appendString(s, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// 64-bit FNV-1a of the given bytes, as 16 lowercase hex digits. Used for deterministic ids.
    static func fnv1aHex(_ bytes: UnsafeRawBufferPointer) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: max(0, 16 - hex.count)) + hex
    }
}
