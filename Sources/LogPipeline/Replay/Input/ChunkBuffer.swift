#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A sliding window over a byte source: lines and exact-length fields are handed out as pointers
/// into it, valid until the next call. Grows only for a line longer than the window (up to a cap),
/// so memory stays bounded whatever the input size.
final class ChunkBuffer {
    enum Line {
        case line(UnsafeRawBufferPointer, terminated: Bool)
        /// A line longer than the cap; its bytes were skipped.
        case tooLong(Int)
        case end
    }

    private let source: any ByteSource
    private var storage: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    private var scanned = 0
    private var eof = false
    let maxLine: Int
    /// Bytes handed out so far (lines with their newline, fields).
    private(set) var consumed = 0
    /// Newlines handed out so far (so the next line's number is `newlines + 1`).
    private(set) var newlines = 0

    init(source: any ByteSource, chunk: Int, maxLine: Int) {
        self.source = source
        self.maxLine = maxLine
        storage = .allocate(byteCount: chunk, alignment: 16)
    }

    deinit { storage.deallocate() }

    /// Reads until at least `n` bytes are buffered or the source ends; returns what is buffered.
    /// A read error held back until the bytes read before it are handed over.
    private var deferredError: InputError?

    func peek(_ n: Int) throws(InputError) -> UnsafeRawBufferPointer {
        while end - start < n, !eof { try fill() }
        return UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(storage)[start..<end])
    }

    /// Swaps the source's first bytes for a decompressor's: drops what was peeked.
    func takeBuffered() -> [UInt8] {
        let bytes = Array(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(storage)[start..<end]))
        start = 0; end = 0; scanned = 0
        return bytes
    }

    func nextLine() throws(InputError) -> Line {
        while true {
            if let base = storage.baseAddress, scanned < end,
               let hit = memchr(base + scanned, 0x0A, end - scanned) {
                let k = base.distance(to: hit)
                let line = UnsafeRawBufferPointer(start: base + start, count: k - start)
                consumed += k + 1 - start
                newlines += 1
                start = k + 1
                scanned = start
                return .line(line, terminated: true)
            }
            scanned = end
            if eof {
                guard start < end, let base = storage.baseAddress else {
                    if let error = deferredError {
                        deferredError = nil
                        throw error
                    }
                    return .end
                }
                let line = UnsafeRawBufferPointer(start: base + start, count: end - start)
                consumed += end - start
                start = end
                return .line(line, terminated: false)
            }
            if end - start >= maxLine { return .tooLong(try skipLine()) }
            do throws(InputError) {
                try fill()
            } catch {
                // The bytes before a read error are still a (last, unterminated) line: hand it over
                // first, raise the error on the next call.
                guard start < end else { throw error }
                deferredError = error
                eof = true
            }
        }
    }

    /// Exactly `n` bytes (binary journal fields), or nil when the source ends first.
    func take(_ n: Int) throws(InputError) -> UnsafeRawBufferPointer? {
        while end - start < n, !eof { try fill(minimum: n) }
        guard end - start >= n, let base = storage.baseAddress else { return nil }
        let bytes = UnsafeRawBufferPointer(start: base + start, count: n)
        consumed += n
        var i = 0
        while i < n, let hit = memchr(base + start + i, 0x0A, n - i) {
            newlines += 1
            i = base.distance(to: hit) - start + 1
        }
        start += n
        scanned = start
        return bytes
    }

    /// Discards `n` bytes without holding them (an oversized binary field); false if the source ends first.
    func skip(_ n: Int) throws(InputError) -> Bool {
        var left = n
        while left > 0 {
            if start == end {
                if eof { return false }
                try fill()
                continue
            }
            let k = min(left, end - start)
            if let base = storage.baseAddress {
                let bytes = UnsafeRawBufferPointer(start: base + start, count: k)
                newlines += bytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            }
            start += k
            consumed += k
            left -= k
        }
        scanned = start
        return true
    }

    /// Skips the rest of an over-long line, newline included; returns its length.
    private func skipLine() throws(InputError) -> Int {
        var length = 0
        while true {
            if let base = storage.baseAddress, start < end, let hit = memchr(base + start, 0x0A, end - start) {
                let k = base.distance(to: hit)
                length += k - start
                consumed += k + 1 - start
                newlines += 1
                start = k + 1
                scanned = start
                return length
            }
            length += end - start
            consumed += end - start
            start = end
            scanned = end
            if eof { return length }
            try fill()
        }
    }

    /// Reads more: compacts, grows when the pending bytes fill the window (never past `maxLine`
    /// plus one chunk, or `minimum` for an exact-length field).
    private func fill(minimum: Int = 0) throws(InputError) {
        if start > 0 {
            if start < end, let base = storage.baseAddress {
                base.copyMemory(from: base + start, byteCount: end - start)
            }
            end -= start
            scanned -= start
            start = 0
        }
        if end == storage.count {
            let grown = UnsafeMutableRawBufferPointer.allocate(byteCount: max(storage.count * 2, minimum), alignment: 16)
            if let dst = grown.baseAddress, let src = storage.baseAddress { dst.copyMemory(from: src, byteCount: end) }
            storage.deallocate()
            storage = grown
        }
        let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: storage[end...]))
        if n == 0 { eof = true } else { end += n }
    }
}
