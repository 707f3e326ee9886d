/// Appending JSON tokens to a byte buffer. Hand-written: it runs for every field of every record.
package enum JSONBytes {
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
        // Eight bytes at a time, the last few padded with 'a' (never escaped): no byte-by-byte loop, and
        // an escape is found by the lowest flagged byte of its word.
        while i < n {
            let available = n - i
            var word: UInt64 = 0x6161_6161_6161_6161
            if available >= 8 {
                word = bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            } else {
                withUnsafeMutableBytes(of: &word) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[i..<n])) }
            }
            let mask = escapeMask(UInt64(littleEndian: word))
            if mask == 0 {
                i += min(8, available)
                continue
            }
            let at = i + mask.trailingZeroBitCount >> 3
            if start < at { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<at])) }
            appendEscape(bytes[at], to: &out)
            i = at + 1
            start = i
        }
        if start < n { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<n])) }
        out.append(UInt8(ascii: "\""))
    }

    /// Whether `b` must be escaped in a JSON string: a control character, `"`, `\` or DEL (DEL is not
    /// required by JSON; escaped so a line never carries it raw). `escapeMask` is the same set, eight
    /// bytes at a time.
    @inline(__always)
    static func needsEscape(_ b: UInt8) -> Bool { b < 0x20 || b == 0x22 || b == 0x5C || b == 0x7F }

    /// The high bit of each byte that is a control character, `"`, `\\` or DEL, little-endian byte
    /// order (SWAR: the classic has-less-than and has-zero-byte tricks). A borrow can only flag bytes
    /// above a byte that is really flagged, so the lowest flagged byte is always exact.
    @inline(__always)
    static func escapeMask(_ w: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        let control = (w &- ones &* 0x20) & ~w
        let quote = w ^ (ones &* 0x22)
        let backslash = w ^ (ones &* 0x5C)
        let delete = w ^ (ones &* 0x7F)
        let zeros = ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((delete &- ones) & ~delete)
        return (control | zeros) & high
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

    /// Appends a decimal integer without going through `String` (`DecimalWriter`).
    public static func appendInt<O: ByteOutput>(_ value: Int64, to out: inout O) {
        var scratch: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)  // ≥ DecimalWriter.room
        withUnsafeMutableBytes(of: &scratch) { raw in
            guard let base = raw.bindMemory(to: UInt8.self).baseAddress else { return }
            let n = DecimalWriter.write(value, at: base)
            out.append(contentsOf: UnsafeRawBufferPointer(start: base, count: n))
        }
    }

    /// Two ASCII digits per value 0–99 (the timestamp writer's table).
    static let digitPairs: StaticString =
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"

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
