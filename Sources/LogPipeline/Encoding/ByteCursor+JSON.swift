/// How the one JSON string writer (`JSONBytes.appendString`) writes into a `ByteCursor`: the
/// per-record hot path (`vdm bench logging`; docs/BENCHMARKS.md has the steps and what each gained).
extension ByteCursor {
    /// `"text"` with JSON escaping (`JSONBytes.appendString`).
    @inline(__always)
    mutating func writeJSONString(_ bytes: UnsafeRawBufferPointer) {
        JSONBytes.appendString(utf8: bytes, to: &self)
    }

    /// Room for `n` bytes and the slack: the string writer's blocks are stored whole.
    @inline(__always)
    mutating func reserveRoom(_ n: Int) { ensure(n) }

    /// Inside room reserved: an unchecked-for-growth (still bounds-checked) store.
    @inline(__always)
    mutating func appendReserved(_ byte: UInt8) { write(byte) }

    /// Stores the whole 16-byte block (the slack takes the part past `length`) and keeps `length`.
    @inline(__always)
    mutating func appendBlock(_ source: UnsafeRawPointer, _ length: Int, low: UInt64, high: UInt64) {
        checkRoom(16)
        let target = UnsafeMutableRawPointer(position)
        target.storeBytes(of: low, as: UInt64.self)
        (target + 8).storeBytes(of: high, as: UInt64.self)
        advance(by: length)
    }

    /// `"bytes"`, for bytes known to need no escape.
    @inline(__always)
    mutating func writeQuoted(_ bytes: UnsafeRawBufferPointer) {
        let n = bytes.count
        ensure(n + 2)
        write(UInt8(ascii: "\""))
        if let source = bytes.baseAddress {
            checkRoom(n)
            LineBuffer.copy(source, n, to: UnsafeMutableRawPointer(position))
            advance(by: n)
        }
        write(UInt8(ascii: "\""))
    }
}
