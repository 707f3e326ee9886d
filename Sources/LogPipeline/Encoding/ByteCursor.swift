/// Writes a record into a `LineBuffer` through a position and a limit held in locals
/// (`LineBuffer.withCursor`), so they stay in registers: writing through the `LineBuffer` itself
/// reloaded and stored its count around every piece, because a byte store may alias it. The buffer
/// is only touched to grow (`ensure`) and once at the end (`commit`).
///
/// The `write…` methods do not check for room: call `ensure` for the whole run first. Like the
/// buffer's `reserve`, `ensure(n)` leaves `LineBuffer.slack` bytes beyond the `n`, which the 16-byte
/// and 8-byte block stores may run into. The `ByteOutput` appends check for themselves.
struct ByteCursor: ByteOutput {
    private(set) var position: UnsafeMutablePointer<UInt8>
    private var limit: UnsafeMutablePointer<UInt8>
    private let buffer: UnsafeMutablePointer<LineBuffer>

    init(_ buffer: UnsafeMutablePointer<LineBuffer>) {
        self.buffer = buffer
        position = buffer.pointee.end
        limit = buffer.pointee.limit
    }

    /// Room for `n` more bytes (plus the slack).
    @inline(__always)
    mutating func ensure(_ n: Int) {
        if limit - position < n { grow(n) }
    }

    @inline(never)
    private mutating func grow(_ n: Int) {
        commit()
        buffer.pointee.reserve(n)
        position = buffer.pointee.end
        limit = buffer.pointee.limit
    }

    /// Hands what was written back to the buffer.
    @inline(__always)
    func commit() { buffer.pointee.setEnd(position) }

    /// Debug builds (the tests) check every unchecked store against the buffer's real end.
    @inline(__always)
    func assertRoom(_ n: Int) {
        assert(limit + LineBuffer.slack - position >= n, "a write ran past the room ensured")
    }

    /// Marks `n` bytes written in place at `position` (after `ensure`).
    @inline(__always)
    mutating func advance(by n: Int) {
        assertRoom(n)
        position += n
    }

    mutating func append(_ byte: UInt8) {
        ensure(1)
        write(byte)
    }

    mutating func append(contentsOf bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress else { return }
        ensure(bytes.count)
        LineBuffer.copy(source, bytes.count, to: UnsafeMutableRawPointer(position))
        position += bytes.count
    }

    @inline(__always)
    mutating func write(_ byte: UInt8) {
        assertRoom(1)
        position.pointee = byte
        position += 1
    }

    @inline(__always)
    mutating func write(_ literal: StaticString) {
        let n = literal.utf8CodeUnitCount
        assertRoom(n)
        LineBuffer.copy(UnsafeRawPointer(literal.utf8Start), n, to: UnsafeMutableRawPointer(position))
        position += n
    }

    /// `,"key":` for a payload key: our own constants of plain `[a-z0-9._@]` (checked by
    /// `ECSJSONEncoderTests.payloadKeysNeedNoEscaping`), so copied without the escape scan.
    @inline(__always)
    mutating func writeKey(_ key: FieldKey) {
        write(#",""#)
        write(key.utf8)
        write(#"":"#)
    }

    /// A decimal integer, eight digits at a time (`eightDigits`), each block stored as one word:
    /// durations and microsecond timestamps have 10–16 digits, and two digits per division made one
    /// long chain of dependent multiplies. Needs 20 bytes of room plus the buffer's slack.
    @inline(__always)
    mutating func writeDecimal(_ value: Int64) {
        if value < 0 { write(UInt8(ascii: "-")) }
        let magnitude = value.magnitude
        if magnitude < 10 {  // counts and flags are mostly 0 or a single digit
            write(48 &+ UInt8(truncatingIfNeeded: magnitude))
        } else if magnitude < 100_000_000 {
            writeLeading(UInt32(truncatingIfNeeded: magnitude))
        } else if magnitude < 10_000_000_000_000_000 {
            writeLeading(UInt32(truncatingIfNeeded: magnitude / 100_000_000))
            writeEight(UInt32(truncatingIfNeeded: magnitude % 100_000_000))
        } else {  // at most 20 digits: 1–4, then 8, then 8
            let rest = magnitude % 10_000_000_000_000_000
            writeLeading(UInt32(truncatingIfNeeded: magnitude / 10_000_000_000_000_000))
            writeEight(UInt32(truncatingIfNeeded: rest / 100_000_000))
            writeEight(UInt32(truncatingIfNeeded: rest % 100_000_000))
        }
    }

    /// `n` (1 ..< 10^8) without leading zeros: its eight-digit block shifted down past them (they
    /// are the block's low zero bytes before the ASCII offset), stored whole; the slack absorbs the
    /// zero bytes above it.
    @inline(__always)
    private mutating func writeLeading(_ n: UInt32) {
        let digits = Self.eightDigits(n)
        let zeros = digits.trailingZeroBitCount &>> 3
        let block = (digits | 0x3030_3030_3030_3030) >> UInt64(zeros &* 8)
        assertRoom(8)
        UnsafeMutableRawPointer(position).storeBytes(of: block.littleEndian, as: UInt64.self)
        position += 8 &- zeros
    }

    /// `n` (< 10^8) as exactly eight digits.
    @inline(__always)
    private mutating func writeEight(_ n: UInt32) {
        assertRoom(8)
        UnsafeMutableRawPointer(position).storeBytes(of: (Self.eightDigits(n) | 0x3030_3030_3030_3030).littleEndian, as: UInt64.self)
        position += 8
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

extension LineBuffer {
    /// Runs `body` with a cursor at the end of the buffer and keeps what it wrote.
    @inline(__always)
    mutating func withCursor<R>(_ body: (inout ByteCursor) -> R) -> R {
        withUnsafeMutablePointer(to: &self) { buffer in
            var cursor = ByteCursor(buffer)
            defer { cursor.commit() }
            return body(&cursor)
        }
    }
}
