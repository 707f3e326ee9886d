/// Appending JSON tokens to a byte buffer. Hand-written: it runs for every field of every record.
public enum JSONBytes {
    @inline(__always)
    static func hex(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 48 + nibble : 87 + nibble }

    /// Appends `"text"` with JSON escaping. Control characters become `\uXXXX` (or the short forms),
    /// so a value can never break the one-record-per-line rule.
    @inlinable
    public static func appendString<O: ByteOutput>(_ text: String, to out: inout O) {
        var text = text
        text.withUTF8 { appendString(utf8: UnsafeRawBufferPointer($0), to: &out) }
    }

    public static func appendString<O: ByteOutput>(utf8 bytes: UnsafeRawBufferPointer, to out: inout O) {
        out.append(UInt8(ascii: "\""))
        var start = 0
        let n = bytes.count
        var i = 0
        while i < n {
            // Eight bytes at a time while none needs escaping: most values need none.
            while i + 8 <= n, !wordNeedsEscape(bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)) { i += 8 }
            guard i < n else { break }
            let c = bytes[i]
            if c >= 0x20 && c != UInt8(ascii: "\"") && c != UInt8(ascii: "\\") && c != 0x7F {
                i += 1
                continue
            }
            if start < i { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<i])) }
            appendEscape(c, to: &out)
            i += 1
            start = i
        }
        if start < n { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<n])) }
        out.append(UInt8(ascii: "\""))
    }

    /// Whether any of the eight bytes is a control character, `"`, `\\` or DEL (SWAR: the classic
    /// has-less-than and has-zero-byte bit tricks, exact as to whether such a byte exists).
    @inline(__always)
    static func wordNeedsEscape(_ w: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        let control = (w &- ones &* 0x20) & ~w
        let quote = w ^ (ones &* 0x22)
        let backslash = w ^ (ones &* 0x5C)
        let delete = w ^ (ones &* 0x7F)
        let zeros = ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((delete &- ones) & ~delete)
        return (control | zeros) & high != 0
    }

    @inline(__always)
    static func appendEscape<O: ByteOutput>(_ c: UInt8, to out: inout O) {
        out.append(UInt8(ascii: "\\"))
        switch c {
        case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
        case 0x0A: out.append(UInt8(ascii: "n"))
        case 0x0D: out.append(UInt8(ascii: "r"))
        case 0x09: out.append(UInt8(ascii: "t"))
        default:
            out.append(UInt8(ascii: "u"))
            out.append(48)
            out.append(48)
            out.append(hex(c >> 4))
            out.append(hex(c & 0xF))
        }
    }

    /// Appends a decimal integer without going through `String`.
    @inlinable
    public static func appendInt<O: ByteOutput>(_ value: Int64, to out: inout O) {
        if value == 0 { out.append(48); return }
        var v = value.magnitude
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var tmp: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes hold any 20-digit UInt64
        withUnsafeMutableBytes(of: &tmp) { raw in
            var i = raw.count
            while v > 0 {
                i -= 1
                raw[i] = UInt8(48 + v % 10)
                v /= 10
            }
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[i...]))
        }
    }

    public static func appendDouble(_ value: Double, to out: inout [UInt8]) {
        if value.isFinite {
            if value == value.rounded(), abs(value) < 1e15 {
                appendInt(Int64(value), to: &out)
            } else {
                out.append(contentsOf: value.description.utf8)
            }
        } else {
            out.append(contentsOf: "null".utf8)
        }
    }

    /// Appends `"key":` (keys are ours, plain ASCII; still escaped for safety when they come from metadata).
    @inline(__always)
    public static func appendKey<O: ByteOutput>(_ key: String, to out: inout O) {
        appendString(key, to: &out)
        out.append(UInt8(ascii: ":"))
    }
}
