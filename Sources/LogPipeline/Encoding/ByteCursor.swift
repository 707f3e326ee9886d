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

    /// A decimal integer (`DecimalWriter`). Needs 20 bytes of room plus the buffer's slack.
    @inline(__always)
    mutating func writeDecimal(_ value: Int64) {
        assertRoom(DecimalWriter.room)
        position += DecimalWriter.write(value, at: position)
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
