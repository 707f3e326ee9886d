/// Decimal integers written in place, eight digits at a time: the JSON encoder's numbers
/// (`ByteCursor.writeDecimal`) and the renderers' (`JSONBytes.appendInt`). Durations and microsecond
/// timestamps have 10–16 digits, and two digits per division made one long chain of dependent
/// multiplies; here each 8-digit block is converted in parallel lanes and stored as one word.
enum DecimalWriter {
    /// Bytes `write` may touch at its target: at most 20 digits and sign, and a block store can
    /// reach 7 bytes past the last digit.
    static let room = 27

    /// Writes `value` at `target` and returns how many bytes it is (1–20).
    @inline(__always)
    static func write(_ value: Int64, at target: UnsafeMutablePointer<UInt8>) -> Int {
        var p = target
        if value < 0 {
            p.pointee = UInt8(ascii: "-")
            p += 1
        }
        let magnitude = value.magnitude
        if magnitude < 10 {  // counts and flags are mostly 0 or a single digit
            p.pointee = 48 &+ UInt8(truncatingIfNeeded: magnitude)
            p += 1
        } else if magnitude < 100_000_000 {
            p = leading(UInt32(truncatingIfNeeded: magnitude), at: p)
        } else if magnitude < 10_000_000_000_000_000 {
            p = leading(UInt32(truncatingIfNeeded: magnitude / 100_000_000), at: p)
            p = eight(UInt32(truncatingIfNeeded: magnitude % 100_000_000), at: p)
        } else {  // at most 20 digits: 1–4, then 8, then 8
            let rest = magnitude % 10_000_000_000_000_000
            p = leading(UInt32(truncatingIfNeeded: magnitude / 10_000_000_000_000_000), at: p)
            p = eight(UInt32(truncatingIfNeeded: rest / 100_000_000), at: p)
            p = eight(UInt32(truncatingIfNeeded: rest % 100_000_000), at: p)
        }
        return p - target
    }

    /// `n` (1 ..< 10^8) without leading zeros: its eight-digit block shifted down past them (they
    /// are the block's low zero bytes before the ASCII offset), stored whole.
    @inline(__always)
    private static func leading(_ n: UInt32, at p: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        let digits = eightDigits(n)
        let zeros = digits.trailingZeroBitCount &>> 3
        let block = (digits | 0x3030_3030_3030_3030) >> UInt64(zeros &* 8)
        UnsafeMutableRawPointer(p).storeBytes(of: block.littleEndian, as: UInt64.self)
        return p + (8 &- zeros)
    }

    /// `n` (< 10^8) as exactly eight digits.
    @inline(__always)
    private static func eight(_ n: UInt32, at p: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        UnsafeMutableRawPointer(p).storeBytes(of: (eightDigits(n) | 0x3030_3030_3030_3030).littleEndian, as: UInt64.self)
        return p + 8
    }

    /// The eight decimal digits of `n` < 10^8 as byte values 0–9 (leading zeros included), first
    /// digit in the lowest byte, computed in parallel lanes: split into two 4-digit halves (32-bit
    /// lanes), each into two 2-digit parts (16-bit lanes), each into two digits (bytes). The
    /// multiply-shift pairs divide exactly in their ranges (x·10486 >> 20 = x / 100 for x < 10^4;
    /// x·103 >> 10 = x / 10 for x < 100) and no lane's product reaches its neighbour;
    /// `integersOfEveryMagnitudeAndSign` checks every length and its edges.
    @inline(__always)
    static func eightDigits(_ n: UInt32) -> UInt64 {
        let halves = UInt64(n / 10_000) | UInt64(n % 10_000) << 32
        let div100 = ((halves &* 10_486) >> 20) & 0x0000_007F_0000_007F
        let parts = (halves &- div100 &* 100) << 16 | div100
        let div10 = ((parts &* 103) >> 10) & 0x000F_000F_000F_000F
        return (parts &- div10 &* 10) << 8 | div10
    }
}
