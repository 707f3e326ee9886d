#if canImport(Glibc)
import Glibc
#endif

/// Where the JSON token writers append: `[UInt8]` for the renderers, `LineBuffer` on the per-record
/// hot path.
public protocol ByteOutput: ~Copyable {
    mutating func append(_ byte: UInt8)
    mutating func append(contentsOf bytes: UnsafeRawBufferPointer)
    /// Room for `n` more bytes before `appendReserved`/`appendBlock` (a no-op for growing outputs).
    mutating func reserveRoom(_ n: Int)
    /// Appends a byte inside room `reserveRoom` made.
    mutating func appendReserved(_ byte: UInt8)
    /// Appends the `length` (≤ 16) bytes at `source`, which are also the words `low`, `high` (an
    /// output with slack may store both words whole).
    mutating func appendBlock(_ source: UnsafeRawPointer, _ length: Int, low: UInt64, high: UInt64)
}

extension Array: ByteOutput where Element == UInt8 {}

extension ByteOutput where Self: ~Copyable {
    @inline(__always)
    public mutating func reserveRoom(_ n: Int) {}

    @inline(__always)
    public mutating func appendReserved(_ byte: UInt8) { append(byte) }

    @inline(__always)
    public mutating func appendBlock(_ source: UnsafeRawPointer, _ length: Int, low: UInt64, high: UInt64) {
        append(contentsOf: UnsafeRawBufferPointer(start: source, count: length))
    }

    /// Appends a literal (`"\",\"log.level\":\""`) without going through `String.UTF8View`.
    @inline(__always)
    mutating func append(literal: StaticString) {
        append(contentsOf: UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    @inline(__always)
    mutating func append(utf8 text: String) {
        var text = text
        text.withUTF8 { append(contentsOf: UnsafeRawBufferPointer($0)) }
    }
}

/// A growable byte buffer written through a raw pointer: the log writer's shared buffer and the
/// encoder's scratch line. Through `Array` every small append paid a uniqueness check and a capacity
/// check in the runtime; here an append is an inlined store, and the JSON encoder writes a whole record
/// through one `ByteCursor`.
///
/// Non-copyable, so the memory has exactly one owner and `deinit` frees it (a copy could not free
/// twice or outlive it). Every write is checked against the allocation in release builds too: the
/// appends grow first, `setEnd` and the `ByteCursor` stores stop the process (a precondition, which
/// no input reaches: the writers `ensure` room for what they write) rather than write past the end.
struct LineBuffer: ~Copyable, ByteOutput {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int) {
        precondition(capacity > Self.slack, "a line buffer holds more than its slack")
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    deinit { base.deallocate() }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        if count == capacity { grow(toAtLeast: count + 1) }
        base[count] = byte
        count += 1
    }

    @inline(__always)
    mutating func append(contentsOf bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress else { return }
        let n = bytes.count
        if count + n > capacity { grow(toAtLeast: count + n) }
        Self.copy(source, n, to: UnsafeMutableRawPointer(base + count))
        count += n
    }

    /// The pieces of a record are short (keys, numbers, punctuation, ids, model names): word moves,
    /// overlapping at the end, beat a call to `memmove` up to a few dozen bytes.
    @inline(__always)
    static func copy(_ source: UnsafeRawPointer, _ n: Int, to target: UnsafeMutableRawPointer) {
        if n >= 16 && n <= 64 {
            var k = 0
            while k + 16 <= n {
                copy16(source + k, target + k)
                k += 16
            }
            if k < n { copy16(source + (n - 16), target + (n - 16)) }
        } else if n >= 8 && n < 16 {
            target.storeBytes(of: source.loadUnaligned(as: UInt64.self), as: UInt64.self)
            (target + (n - 8)).storeBytes(of: (source + (n - 8)).loadUnaligned(as: UInt64.self), as: UInt64.self)
        } else if n >= 4 && n < 8 {
            target.storeBytes(of: source.loadUnaligned(as: UInt32.self), as: UInt32.self)
            (target + (n - 4)).storeBytes(of: (source + (n - 4)).loadUnaligned(as: UInt32.self), as: UInt32.self)
        } else if n < 4 {
            for k in 0..<n { target.storeBytes(of: source.load(fromByteOffset: k, as: UInt8.self), toByteOffset: k, as: UInt8.self) }
        } else {
            target.copyMemory(from: source, byteCount: n)
        }
    }

    @inline(__always)
    private static func copy16(_ source: UnsafeRawPointer, _ target: UnsafeMutableRawPointer) {
        let low = source.loadUnaligned(as: UInt64.self)
        let high = (source + 8).loadUnaligned(as: UInt64.self)
        target.storeBytes(of: low, as: UInt64.self)
        (target + 8).storeBytes(of: high, as: UInt64.self)
    }

    /// Room for `n` more bytes plus `slack`: the in-place writers (see ByteCursor+JSON.swift) store
    /// whole 16-byte blocks and may run past what they keep.
    @inline(__always)
    mutating func reserve(_ n: Int) {
        if count + n + Self.slack > capacity { grow(toAtLeast: count + n + Self.slack) }
    }

    static let slack = 16

    /// Where the next byte goes; valid until the next append or `reserve`.
    var end: UnsafeMutablePointer<UInt8> { base + count }

    /// How far a writer may go before it must `reserve` again (the slack stays beyond it).
    var limit: UnsafeMutablePointer<UInt8> { base + (capacity - Self.slack) }

    /// The end of the allocation: no store may reach it (`ByteCursor.checkRoom`).
    var allocationEnd: UnsafeMutablePointer<UInt8> { base + capacity }

    /// Ends the buffer at `end`, where a `ByteCursor` stopped writing.
    @inline(__always)
    mutating func setEnd(_ end: UnsafeMutablePointer<UInt8>) {
        precondition(end >= base && end <= base + capacity, "a line buffer's end outside its memory")
        count = end - base
    }

    mutating func grow(toAtLeast needed: Int) {
        let newCapacity = max(needed, capacity * 2)
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        grown.update(from: base, count: count)
        base.deallocate()
        base = grown
        capacity = newCapacity
    }

    /// The bytes written; valid until the next append, `reserve` or the buffer's end.
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// Empties the buffer, keeping its memory.
    mutating func removeAll() { count = 0 }
}

/// Runs `body` with a fresh line buffer (freed when the scope ends).
@inline(__always)
func withLineBuffer<R>(capacity: Int = 2048, _ body: (inout LineBuffer) -> R) -> R {
    var buffer = LineBuffer(capacity: capacity)
    return body(&buffer)
}
