#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A stream of bytes the reader pulls from: a file, stdin, or a decompressor over one of them.
/// Classes because they own OS resources (a descriptor, zlib state) and are used by one task only.
protocol ByteSource: AnyObject {
    /// Fills up to `buffer.count` bytes; returns 0 at the end of the stream.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int
}

/// Why an input could not be read at all (as opposed to a bad line, which is an `InputProblem`).
public struct InputError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var reason: String
    /// How a reader reports it when it stops an input midway (after the lines read before it).
    public var kind: InputProblemKind
    /// Not an input: replay's temporary file (`SlotSpill`) could not be written or read back.
    public var spill = false

    public init(path: String, reason: String, kind: InputProblemKind = .unreadableInput, spill: Bool = false) {
        self.path = path
        self.reason = reason
        self.kind = kind
        self.spill = spill
    }

    public var description: String { "\(path): \(reason)" }
}

/// Bytes read so far across all inputs, for the progress bar (shared by the reading tasks).
public final class ProgressCounter: Sendable {
    private let bytes = Atomic<Int>(0)
    public init() {}
    public func add(_ n: Int) { bytes.add(n, ordering: .relaxed) }
    public var value: Int { bytes.load(ordering: .relaxed) }
}

/// A file descriptor: a regular file, a pipe, or stdin (`-`).
final class FileSource: ByteSource {
    let path: String
    private let fd: Int32
    private let owned: Bool
    private let progress: ProgressCounter?
    /// Bytes handed back by `unread` (the gzip sniffing), returned before the descriptor's.
    private var pending: [UInt8] = []

    /// Opens `path` (`-` is stdin). Throws a clear error for a missing or unreadable file.
    init(path: String, progress: ProgressCounter? = nil) throws(InputError) {
        self.path = path
        self.progress = progress
        if path == "-" {
            fd = STDIN_FILENO
            owned = false
        } else {
            let opened = open(path, O_RDONLY | O_CLOEXEC)
            guard opened >= 0 else { throw InputError(path: path, reason: String(cString: strerror(errno))) }
            var st = stat()
            if fstat(opened, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
                close(opened)
                throw InputError(path: path, reason: "is a directory")
            }
            fd = opened
            owned = true
            #if canImport(Glibc)
            _ = posix_fadvise(opened, 0, 0, POSIX_FADV_SEQUENTIAL)
            #endif
        }
    }

    deinit { if owned { close(fd) } }

    /// Size of a regular file, for the progress bar; nil for pipes and stdin.
    var regularFileSize: Int? {
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int(st.st_size)
    }

    func unread(_ bytes: [UInt8]) { pending = bytes + pending }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        if !pending.isEmpty {
            let n = min(buffer.count, pending.count)
            pending.withUnsafeBytes { src in
                if let s = src.baseAddress { base.copyMemory(from: s, byteCount: n) }
            }
            pending.removeFirst(n)
            return n
        }
        while true {
            let n = Glibc.read(fd, base, buffer.count)
            if n >= 0 {
                progress?.add(n)
                return n
            }
            if errno == EINTR { continue }
            throw InputError(path: path, reason: String(cString: strerror(errno)))
        }
    }
}
