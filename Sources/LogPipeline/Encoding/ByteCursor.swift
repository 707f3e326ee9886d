/// Writes a record into a `LineBuffer` through a position and a limit held in locals
/// (`LineBuffer.withCursor`), so they stay in registers: writing through the `LineBuffer` itself
/// reloaded and stored its count around every piece, because a byte store may alias it. The buffer
/// is only touched to grow (`ensure`) and once at the end (`commit`).
///
/// The `write…` methods do not grow the buffer: call `ensure` for the whole run first. Like the
/// buffer's `reserve`, `ensure(n)` leaves `LineBuffer.slack` bytes beyond the `n`, which the 16-byte
/// and 8-byte block stores may run into. Each store is still checked against the allocation's end
/// (`checkRoom`, in release builds too): a miscounted `ensure` stops the process, it never writes out
/// of bounds. The `ByteOutput` appends grow for themselves.
struct ByteCursor: ByteOutput {
    private(set) var position: UnsafeMutablePointer<UInt8>
    private var limit: UnsafeMutablePointer<UInt8>
    /// The allocation's end (`limit` + the slack): what `checkRoom` guards.
    private var allocationEnd: UnsafeMutablePointer<UInt8>
    private let buffer: UnsafeMutablePointer<LineBuffer>

    init(_ buffer: UnsafeMutablePointer<LineBuffer>) {
        self.buffer = buffer
        position = buffer.pointee.end
        limit = buffer.pointee.limit
        allocationEnd = buffer.pointee.allocationEnd
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
        allocationEnd = buffer.pointee.allocationEnd
    }

    /// Hands what was written back to the buffer.
    @inline(__always)
    func commit() { buffer.pointee.setEnd(position) }

    /// Every in-place store is checked against the allocation's real end, in every build: one
    /// compare and a branch never taken (`ensure` left the room). Unreachable from input: it fires
    /// only if a writer's own size count is wrong.
    @inline(__always)
    func checkRoom(_ n: Int) {
        precondition(n >= 0 && allocationEnd - position >= n, "a write ran past the room ensured")
    }

    /// Marks `n` bytes written in place at `position` (after `ensure`).
    @inline(__always)
    mutating func advance(by n: Int) {
        checkRoom(n)
        position += n
    }

    mutating func append(_ byte: UInt8) {
        ensure(1)
        write(byte)
    }

    mutating func append(contentsOf bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress else { return }
        ensure(bytes.count)
        checkRoom(bytes.count)
        LineBuffer.copy(source, bytes.count, to: UnsafeMutableRawPointer(position))
        position += bytes.count
    }

    @inline(__always)
    mutating func write(_ byte: UInt8) {
        checkRoom(1)
        position.pointee = byte
        position += 1
    }

    @inline(__always)
    mutating func write(_ literal: StaticString) {
        let n = literal.utf8CodeUnitCount
        checkRoom(n)
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
        checkRoom(DecimalWriter.room)
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
