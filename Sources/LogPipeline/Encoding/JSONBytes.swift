/// Appending JSON tokens to a byte buffer. Hand-written: it runs for every field of every record.
package enum JSONBytes {
    @inline(__always)
    static func hex(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 48 + nibble : 87 + nibble }

    /// Appends `"text"` with JSON escaping. Control characters become `\uXXXX` (or the short forms),
    /// so a value can never break the one-record-per-line rule.
    @inlinable
    package static func appendString<O: ByteOutput & ~Copyable>(_ text: String, to out: inout O) {
        var text = text
        text.withUTF8 { appendString(utf8: UnsafeRawBufferPointer($0), to: &out) }
    }

    /// The one JSON string writer: the log encoder (through `ByteCursor`), the renderers, the proxy's
    /// serializer and the mock upstream all write strings here.
    ///
    /// 16 bytes at a time as two words: each block goes out through the output's `appendBlock` (the
    /// cursor stores it before anything is known about it, the slack absorbing the overrun) and is
    /// kept only when none of its bytes needs an escape (`escapeMask`, SWAR), so on the hot path a
    /// clean block costs two loads, the mask arithmetic and two stores, and no `memmove` call. A block
    /// with an escape in it is redone byte by byte. (Swift's `SIMD16<UInt8>` comparisons compiled to
    /// scalar loops here: 10x slower.) docs/BENCHMARKS.md has the steps and what each one gained.
    @inline(__always)
    package static func appendString<O: ByteOutput & ~Copyable>(utf8 bytes: UnsafeRawBufferPointer, to out: inout O) {
        let n = bytes.count
        out.reserveRoom(n + 2)
        out.appendReserved(UInt8(ascii: "\""))
        if let source = bytes.baseAddress {
            var i = 0
            while i < n {
                let length = min(16, n - i)
                let (low, high) = length == 16
                    ? (source.loadUnaligned(fromByteOffset: i, as: UInt64.self), source.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self))
                    : paddedBlock(source + i, length)
                if escapeMask(UInt64(littleEndian: low)) | escapeMask(UInt64(littleEndian: high)) != 0 {
                    appendEscaping(source + i, length, to: &out)
                    out.reserveRoom(n - i - length + 1)
                } else {
                    out.appendBlock(source + i, length, low: low, high: high)
                }
                i += length
            }
        }
        out.appendReserved(UInt8(ascii: "\""))
    }

    /// The `length` (< 16) bytes at `source` followed by `a`s (never escaped), read without going
    /// past them and assembled in registers: overlapping loads, shifted. (Assembling them in memory
    /// and reading the block back stalled on store forwarding: a fifth of the string time.)
    @inline(__always)
    static func paddedBlock(_ source: UnsafeRawPointer, _ length: Int) -> (UInt64, UInt64) {
        let pad: UInt64 = 0x6161_6161_6161_6161
        if length >= 8 {
            let low = source.loadUnaligned(as: UInt64.self)
            // Bytes length-8 ..< length; drop the ones already in `low`, pad above.
            let last = (source + (length - 8)).loadUnaligned(as: UInt64.self)
            let high = UInt64(littleEndian: last) >> ((16 - length) * 8) | pad << ((length - 8) * 8)
            return (low, UInt64(littleEndian: high))
        }
        var low: UInt64
        if length >= 4 {
            let first = UInt64(UInt32(littleEndian: source.loadUnaligned(as: UInt32.self)))
            let last = UInt64(UInt32(littleEndian: (source + (length - 4)).loadUnaligned(as: UInt32.self)))
            low = first | (last >> ((8 - length) * 8)) << 32
        } else {
            low = 0
            for k in 0..<length { low |= UInt64(source.load(fromByteOffset: k, as: UInt8.self)) << (k * 8) }
        }
        low |= pad << (length * 8)
        return (UInt64(littleEndian: low), pad)
    }

    /// The slow path: checked appends, since an escape takes up to six bytes.
    private static func appendEscaping<O: ByteOutput & ~Copyable>(_ source: UnsafeRawPointer, _ length: Int, to out: inout O) {
        for k in 0..<length {
            let c = source.load(fromByteOffset: k, as: UInt8.self)
            if needsEscape(c) {
                appendEscape(c, to: &out)
            } else {
                out.append(c)
            }
        }
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
    static func appendEscape<O: ByteOutput & ~Copyable>(_ c: UInt8, to out: inout O) {
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
    package static func appendInt<O: ByteOutput & ~Copyable>(_ value: Int64, to out: inout O) {
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

    package static func appendDouble(_ value: Double, to out: inout [UInt8]) {
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
    package static func appendKey<O: ByteOutput & ~Copyable>(_ key: String, to out: inout O) {
        appendString(key, to: &out)
        out.append(UInt8(ascii: ":"))
    }
}
