/// The JSON tokens of a record written straight into a `LineBuffer`: the per-record hot path
/// (`vdm bench logging`; docs/BENCHMARKS.md has the steps and what each one gained).
extension LineBuffer {
    /// `"text"` with JSON escaping, 16 bytes at a time as two words. Each block is stored before
    /// anything is known about it (the slack absorbs the overrun) and kept only when none of its bytes
    /// needs an escape (`JSONBytes.escapeMask`, SWAR), so a clean block costs two loads, the mask
    /// arithmetic and two stores, and no `memmove` call. A block with an escape in it is redone byte
    /// by byte. (Swift's `SIMD16<UInt8>` comparisons compiled to scalar loops here: 10× slower.)
    mutating func appendJSONString(_ bytes: UnsafeRawBufferPointer) {
        let n = bytes.count
        reserve(n + 2)
        append(UInt8(ascii: "\""))
        if let source = bytes.baseAddress {
            var i = 0
            while i < n {
                let length = min(16, n - i)
                let (low, high) = length == 16
                    ? (source.loadUnaligned(fromByteOffset: i, as: UInt64.self), source.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self))
                    : Self.paddedBlock(source + i, length)
                if JSONBytes.escapeMask(UInt64(littleEndian: low)) | JSONBytes.escapeMask(UInt64(littleEndian: high)) != 0 {
                    appendEscaping(source + i, length)
                    reserve(n - i - length + 1)
                } else {
                    let target = UnsafeMutableRawPointer(end)
                    target.storeBytes(of: low, as: UInt64.self)
                    (target + 8).storeBytes(of: high, as: UInt64.self)
                    advance(by: length)
                }
                i += length
            }
        }
        append(UInt8(ascii: "\""))
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

    private mutating func appendEscaping(_ source: UnsafeRawPointer, _ length: Int) {
        for k in 0..<length {
            let c = source.load(fromByteOffset: k, as: UInt8.self)
            if c < 0x20 || c == 0x22 || c == 0x5C || c == 0x7F {
                JSONBytes.appendEscape(c, to: &self)
            } else {
                append(c)
            }
        }
    }

    /// A decimal integer written in place, eight digits at a time (`eightDigits`), each block stored
    /// as one word: durations and microsecond timestamps have 10–16 digits, and two digits per
    /// division made one long chain of dependent multiplies (a fifth of a record's time).
    @inline(__always)
    mutating func appendDecimal(_ value: Int64) {
        reserve(20)
        if value < 0 { append(UInt8(ascii: "-")) }
        let magnitude = value.magnitude
        if magnitude < 10 {  // counts and flags are mostly 0 or a single digit
            append(48 &+ UInt8(truncatingIfNeeded: magnitude))
            return
        }
        if magnitude < 100_000_000 {
            storeLeading(UInt32(truncatingIfNeeded: magnitude))
        } else if magnitude < 10_000_000_000_000_000 {
            storeLeading(UInt32(truncatingIfNeeded: magnitude / 100_000_000))
            storeEight(UInt32(truncatingIfNeeded: magnitude % 100_000_000))
        } else {  // at most 20 digits: 1–4, then 8, then 8
            let rest = magnitude % 10_000_000_000_000_000
            storeLeading(UInt32(truncatingIfNeeded: magnitude / 10_000_000_000_000_000))
            storeEight(UInt32(truncatingIfNeeded: rest / 100_000_000))
            storeEight(UInt32(truncatingIfNeeded: rest % 100_000_000))
        }
    }

    /// `n` (< 10^8) without leading zeros: its eight-digit block shifted down, stored whole (the
    /// slack absorbs the zero bytes above it).
    @inline(__always)
    private mutating func storeLeading(_ n: UInt32) {
        let digits = Self.decimalDigits(UInt64(n))
        let block = Self.eightDigits(n) >> UInt64((8 &- digits) &* 8)
        UnsafeMutableRawPointer(end).storeBytes(of: block.littleEndian, as: UInt64.self)
        advance(by: digits)
    }

    /// `n` (< 10^8) as exactly eight digits.
    @inline(__always)
    private mutating func storeEight(_ n: UInt32) {
        UnsafeMutableRawPointer(end).storeBytes(of: Self.eightDigits(n).littleEndian, as: UInt64.self)
        advance(by: 8)
    }

    /// The eight ASCII digits of `n` < 10^8 (leading zeros included), first digit in the lowest byte,
    /// computed in parallel lanes: split into two 4-digit halves (32-bit lanes), each into two
    /// 2-digit parts (16-bit lanes), each into two digits (bytes). The multiply-shift pairs divide
    /// exactly in their ranges (x·10486 >> 20 = x / 100 for x < 10^4; x·103 >> 10 = x / 10 for
    /// x < 100) and no lane's product reaches its neighbour; `integersOfEveryMagnitudeAndSign`
    /// checks every length and its edges.
    @inline(__always)
    static func eightDigits(_ n: UInt32) -> UInt64 {
        let halves = UInt64(n / 10_000) | UInt64(n % 10_000) << 32
        let div100 = ((halves &* 10_486) >> 20) & 0x0000_007F_0000_007F
        let parts = (halves &- div100 &* 100) << 16 | div100
        let div10 = ((parts &* 103) >> 10) & 0x000F_000F_000F_000F
        let digits = (parts &- div10 &* 10) << 8 | div10
        return digits | 0x3030_3030_3030_3030
    }

    /// Decimal digits of `v` (1 for 0): ⌊bits·log10 2⌋ is the length or one less.
    @inline(__always)
    static func decimalDigits(_ v: UInt64) -> Int {
        let bits = 64 - (v | 1).leadingZeroBitCount
        let guess = (bits &* 1233) >> 12
        return max(1, guess + (v >= powersOfTen[guess] ? 1 : 0))
    }

    static let powersOfTen: [UInt64] = [
        1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000,
        10_000_000_000, 100_000_000_000, 1_000_000_000_000, 10_000_000_000_000, 100_000_000_000_000,
        1_000_000_000_000_000, 10_000_000_000_000_000, 100_000_000_000_000_000, 1_000_000_000_000_000_000,
        10_000_000_000_000_000_000,
    ]

    /// `2026-11-28T23:08:09.382331Z`, written in place.
    @inline(__always)
    mutating func appendISO8601(micros: Int64) {
        reserve(WallClock.iso8601Length)
        WallClock.writeISO8601(micros: micros, to: end)
        advance(by: WallClock.iso8601Length)
    }
}
