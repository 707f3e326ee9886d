#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The bytes `start..<end` of a regular file, read with `pread` (one descriptor per chunk, so the
/// chunks of one file are read by several tasks at once without sharing a file offset).
final class RangeSource: ByteSource {
    let path: String
    private let fd: Int32
    private var offset: Int
    private let end: Int
    private let progress: ProgressCounter?

    init(path: String, start: Int, end: Int, progress: ProgressCounter? = nil) throws(InputError) {
        let opened = open(path, O_RDONLY | O_CLOEXEC)
        guard opened >= 0 else { throw InputError(path: path, reason: String(cString: strerror(errno))) }
        self.path = path
        fd = opened
        offset = max(0, start)
        self.end = max(offset, end)
        self.progress = progress
        #if canImport(Glibc)
        _ = posix_fadvise(opened, off_t(offset), 0, POSIX_FADV_SEQUENTIAL)
        #endif
    }

    deinit { close(fd) }

    /// Size of the file when it is a regular one.
    var regularFileSize: Int? {
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int(st.st_size)
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        let want = min(buffer.count, end - offset)
        guard want > 0 else { return 0 }
        while true {
            let n = readAt(offset, into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<want]))
            if n >= 0 {
                offset += n
                progress?.add(n)
                return n
            }
            if errno == EINTR { continue }
            throw InputError(path: path, reason: String(cString: strerror(errno)))
        }
    }

    /// One `pread` at `position` (-1 on an error, with `errno` set).
    func readAt(_ position: Int, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        return pread(fd, base, buffer.count, off_t(position))
    }

    /// Offset of the first newline at or after `position` and before `limit`, or nil.
    func firstNewline(from position: Int, below limit: Int) -> Int? {
        var window = [UInt8](repeating: 0, count: 64 << 10)
        var at = max(0, position)
        while at < limit {
            let found: Int? = window.withUnsafeMutableBytes { buf in
                let n = readAt(at, into: UnsafeMutableRawBufferPointer(rebasing: buf[..<min(buf.count, limit - at)]))
                guard n > 0, let base = buf.baseAddress else { return -1 }
                if let hit = memchr(base, 0x0A, n) { return at + base.distance(to: hit) }
                at += n
                return nil
            }
            if let found { return found >= 0 ? found : nil }
        }
        return nil
    }
}
