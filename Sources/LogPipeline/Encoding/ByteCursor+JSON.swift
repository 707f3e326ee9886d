/// JSON string values written through a `ByteCursor`: the per-record hot path (`vdm bench logging`;
/// docs/BENCHMARKS.md has the steps and what each one gained).
extension ByteCursor {
    /// `"text"` with JSON escaping, 16 bytes at a time as two words. Each block is stored before
    /// anything is known about it (the slack absorbs the overrun) and kept only when none of its bytes
    /// needs an escape (`JSONBytes.escapeMask`, SWAR), so a clean block costs two loads, the mask
    /// arithmetic and two stores, and no `memmove` call. A block with an escape in it is redone byte
    /// by byte. (Swift's `SIMD16<UInt8>` comparisons compiled to scalar loops here: 10× slower.)
    mutating func writeJSONString(_ bytes: UnsafeRawBufferPointer) {
        let n = bytes.count
        ensure(n + 2)
        write(UInt8(ascii: "\""))
        if let source = bytes.baseAddress {
            var i = 0
            while i < n {
                let length = min(16, n - i)
                let (low, high) = length == 16
                    ? (source.loadUnaligned(fromByteOffset: i, as: UInt64.self), source.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self))
                    : Self.paddedBlock(source + i, length)
                if JSONBytes.escapeMask(UInt64(littleEndian: low)) | JSONBytes.escapeMask(UInt64(littleEndian: high)) != 0 {
                    writeEscaping(source + i, length)
                    ensure(n - i - length + 1)
                } else {
                    assertRoom(16)
                    let target = UnsafeMutableRawPointer(position)
                    target.storeBytes(of: low, as: UInt64.self)
                    (target + 8).storeBytes(of: high, as: UInt64.self)
                    advance(by: length)
                }
                i += length
            }
        }
        write(UInt8(ascii: "\""))
    }

    /// `"bytes"`, for bytes known to need no escape.
    @inline(__always)
    mutating func writeQuoted(_ bytes: UnsafeRawBufferPointer) {
        let n = bytes.count
        ensure(n + 2)
        write(UInt8(ascii: "\""))
        if let source = bytes.baseAddress {
            LineBuffer.copy(source, n, to: UnsafeMutableRawPointer(position))
            advance(by: n)
        }
        write(UInt8(ascii: "\""))
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
    private mutating func writeEscaping(_ source: UnsafeRawPointer, _ length: Int) {
        for k in 0..<length {
            let c = source.load(fromByteOffset: k, as: UInt8.self)
            if JSONBytes.needsEscape(c) {
                JSONBytes.appendEscape(c, to: &self)
            } else {
                append(c)
            }
        }
    }
}
