#if canImport(Glibc)
import Glibc
#endif

/// Where the JSON token writers append: `[UInt8]` for the renderers, `LineBuffer` on the per-record
/// hot path.
public protocol ByteOutput {
    mutating func append(_ byte: UInt8)
    mutating func append(contentsOf bytes: UnsafeRawBufferPointer)
}

extension Array: ByteOutput where Element == UInt8 {}

extension ByteOutput {
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

/// A growable byte buffer written through a raw pointer. An ECS record is ~150 small appends; through
/// `Array` each one pays a uniqueness check and a capacity check in the runtime, here it is an inlined
/// store. Owned by one `withLineBuffer` scope, which frees it.
struct LineBuffer: ByteOutput {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    fileprivate init(capacity: Int) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

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
        let target = UnsafeMutableRawPointer(base + count)
        // Most pieces of a record are 1 to 16 bytes (keys, numbers, punctuation): two overlapping
        // word moves beat a call to memmove there.
        if n >= 8 && n <= 16 {
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
        count += n
    }

    /// A decimal integer written in place, without a temporary.
    @inline(__always)
    mutating func appendDecimal(_ value: Int64) {
        if count + 20 > capacity { grow(toAtLeast: count + 20) }
        if value < 0 {
            base[count] = UInt8(ascii: "-")
            count += 1
        }
        let magnitude = value.magnitude
        var digits = 1
        var bound: UInt64 = 10
        while digits < 20 && magnitude >= bound {
            digits += 1
            bound = bound &* 10
        }
        count += digits
        _ = JSONBytes.writeDigits(magnitude, before: base + count)
    }

    private mutating func grow(toAtLeast needed: Int) {
        let newCapacity = max(needed, capacity * 2)
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        grown.update(from: base, count: count)
        base.deallocate()
        base = grown
        capacity = newCapacity
    }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    fileprivate func free() { base.deallocate() }
}

/// Runs `body` with a fresh line buffer and frees it afterwards.
@inline(__always)
func withLineBuffer<R>(capacity: Int = 1024, _ body: (inout LineBuffer) -> R) -> R {
    var buffer = LineBuffer(capacity: capacity)
    defer { buffer.free() }
    return body(&buffer)
}
