#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A byte range of a JSON-lines file that starts at the start of a line and ends just after a
/// newline (or at the end of the file), with the number its first line is given: `vdm replay -j N`
/// reads the chunks of one large file on several cores, each numbered from 1, and merges their
/// states (renumbered then: `ReplayState.shift`), so no byte is read twice.
package struct FileChunk: Sendable, Equatable {
    package var path: String
    package var start: Int
    package var end: Int
    /// 1-based number given to the chunk's first line: 1 when read on its own, its number in the
    /// whole file when read again on top of the lines before it (`Replay.reread`).
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
    /// is never split; `firstLine` is 1.
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
}
