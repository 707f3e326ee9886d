import Crypto

/// The stable short fingerprint that stands in for a secret in every log sink.
///
/// `short` is the first 8 lowercase hex characters (4 bytes) of SHA-256 over the secret's UTF-8 bytes,
/// so the same key correlates across sinks, runs and machines without being recoverable.
public enum SecretHash {
    /// First 8 hex chars of SHA-256 of the secret's UTF-8 bytes; stable across sinks, runs and machines.
    public static func short(_ secret: some StringProtocol) -> String {
        short(bytes: secret.utf8)
    }

    /// First 8 hex chars of SHA-256 of `bytes`.
    public static func short(bytes: some Collection<UInt8>) -> String {
        if let hex = bytes.withContiguousStorageIfAvailable({ shortHex(UnsafeRawBufferPointer($0)) }) {
            return hex
        }
        return Array(bytes).withUnsafeBytes { shortHex($0) }
    }

    /// The 8-character fingerprint of raw bytes, as a (small, heap-free) String.
    static func shortHex(_ raw: UnsafeRawBufferPointer) -> String {
        let digest = digestPrefix(raw)
        return String(unsafeUninitializedCapacity: 8) { out in
            for i in 0..<8 {
                out[i] = hexDigit(UInt8(truncatingIfNeeded: digest >> UInt32(28 - 4 * i)))
            }
            return 8
        }
    }

    /// Appends the 8 hex characters of the fingerprint of `raw` to `output`.
    static func appendShortHex(of raw: UnsafeRawBufferPointer, to output: inout [UInt8]) {
        let digest = digestPrefix(raw)
        for i in 0..<8 {
            output.append(hexDigit(UInt8(truncatingIfNeeded: digest >> UInt32(28 - 4 * i))))
        }
    }

    /// The first four bytes of SHA-256(`raw`), big-endian in a UInt32.
    private static func digestPrefix(_ raw: UnsafeRawBufferPointer) -> UInt32 {
        var hasher = SHA256()
        hasher.update(bufferPointer: raw)
        let digest = hasher.finalize()
        return digest.withUnsafeBytes { d -> UInt32 in
            var v: UInt32 = 0
            for i in 0..<min(4, d.count) {
                v = (v << 8) | UInt32(d[i])
            }
            return v
        }
    }

    @inline(__always)
    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        let n = nibble & 0x0F
        return n < 10 ? 0x30 &+ n : 0x61 &+ (n &- 10)
    }
}
