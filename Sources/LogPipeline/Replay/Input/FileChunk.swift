#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A byte range of a JSON-lines file that starts at the start of a line and ends just after a
/// newline (or at the end of the file), with the number of its first line: `vdm replay -j N` reads
/// the chunks of one large file on several cores and merges their states.
package struct FileChunk: Sendable, Equatable {
    package var path: String
    package var start: Int
    package var end: Int
    /// 1-based number of the chunk's first line in the whole file.
    package var firstLine: Int

    package init(path: String, start: Int, end: Int, firstLine: Int) {
        self.path = path
        self.start = start
        self.end = end
        self.firstLine = firstLine
    }

    /// Bounds of `--chunk-bytes`: at least one byte; at most 1 GiB (one window is 1 MiB anyway).
    package static let chunkBytesRange = 1...(1 << 30)
    /// The default split: large enough that a chunk's fixed costs (a descriptor, a window, a
    /// partial state to merge) vanish, small enough that two or more cores get even shares.
    package static let defaultChunkBytes = 32 << 20

    /// The chunk boundaries of `path`, or nil when it is read whole: stdin, not a regular file,
    /// gzip or journal export (its framing needs the start), or not larger than one chunk.
    /// Boundaries are at the first newline at or after each multiple of `chunkBytes`, so a line
    /// is never split; `firstLine` is left 1 (see `numberLines`).
    package static func plan(path: String, chunkBytes: Int) throws(InputError) -> [FileChunk]? {
        guard path != "-", chunkBytes >= 1 else { return nil }
        // stat first: opening a named pipe would wait for its writer (and then steal its bytes).
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, Int(st.st_size) > chunkBytes else { return nil }
        let file = try RangeSource(path: path, start: 0, end: Int.max)
        guard let size = file.regularFileSize, size > chunkBytes else { return nil }
        var head = [UInt8](repeating: 0, count: 256)
        let n = head.withUnsafeMutableBytes { file.readAt(0, into: $0) }
        guard n > 0 else { return nil }
        let isGzip = n >= 2 && head[0] == GzipSource.magic[0] && head[1] == GzipSource.magic[1]
        let format = head.withUnsafeBytes { RecordReader.detect(UnsafeRawBufferPointer(rebasing: $0[..<n])) }
        guard !isGzip, format == .jsonLines else { return nil }
        var chunks: [FileChunk] = []
        var start = 0
        while start < size {
            let nominal = start + chunkBytes
            guard nominal < size, let newline = file.firstNewline(from: nominal - 1, below: size), newline + 1 < size else {
                chunks.append(FileChunk(path: path, start: start, end: size, firstLine: 1))
                break
            }
            chunks.append(FileChunk(path: path, start: start, end: newline + 1, firstLine: 1))
            start = newline + 1
        }
        return chunks
    }

    /// Sets each chunk's `firstLine` from the newlines of the chunks before it (`newlines[k]` is
    /// chunk k's count, from `countNewlines`).
    package static func numberLines(_ chunks: inout [FileChunk], newlines: [Int]) {
        var line = 1
        for k in chunks.indices {
            chunks[k].firstLine = line
            line += k < newlines.count ? newlines[k] : 0
        }
    }

    /// Newlines in this chunk (one pass of `memchr` over it, the counting half of the split).
    package func countNewlines() throws(InputError) -> Int {
        let file = try RangeSource(path: path, start: start, end: end)
        let window = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { window.deallocate() }
        var count = 0
        while true {
            let n = try file.read(into: window)
            guard n > 0, let base = window.baseAddress else { return count }
            var i = 0
            while i < n, let hit = memchr(base + i, 0x0A, n - i) {
                count += 1
                i = base.distance(to: hit) + 1
            }
        }
    }
}
