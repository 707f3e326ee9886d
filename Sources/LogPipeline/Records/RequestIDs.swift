import Synchronization

/// New correlation ids: version-4-shaped UUIDs (`3f1c2a9e-8b7d-4c21-9e0f-5a6b7c8d9e0f`) made without a
/// system call. Foundation's `UUID()` opens, reads and closes `/dev/urandom` on every call on Linux:
/// three syscalls per request, seen with `strace` on the proxy's hot path.
///
/// Ids only have to be unique, not secret: a counter makes them unique within the process, a seed
/// from the system generator makes processes differ, and SplitMix64 (a bijection) scrambles both.
package enum RequestIDs {
    private static let seed = UInt64.random(in: .min ... .max)
    private static let counter = Atomic<UInt64>(0)

    package static func next() -> String {
        let n = counter.wrappingAdd(1, ordering: .relaxed).newValue
        var generator = SplitMix64(state: seed &+ n &* 2 &* 0x9E37_79B9_7F4A_7C15)
        return format(high: generator.next(), low: generator.next())
    }

    /// Lowercase 8-4-4-4-12 hex, with the version (4) and variant (10xx) bits set.
    static func format(high: UInt64, low: UInt64) -> String {
        let high = (high & ~0xF000) | 0x4000
        let low = (low & ~(0xC000 << 48)) | (0x8000 << 48)
        return String(unsafeUninitializedCapacity: 36) { out in
            var i = 0
            func put(_ value: UInt64, nibbles: Int) {
                for k in stride(from: nibbles - 1, through: 0, by: -1) {
                    let nibble = UInt8((value >> (UInt64(k) * 4)) & 0xF)
                    out[i] = JSONBytes.hex(nibble)
                    i += 1
                }
            }
            put(high >> 32, nibbles: 8); out[i] = UInt8(ascii: "-"); i += 1
            put(high >> 16, nibbles: 4); out[i] = UInt8(ascii: "-"); i += 1
            put(high, nibbles: 4); out[i] = UInt8(ascii: "-"); i += 1
            put(low >> 48, nibbles: 4); out[i] = UInt8(ascii: "-"); i += 1
            put(low, nibbles: 12)
            return i
        }
    }
}
