#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization

/// Where the record slots and aggregates of complete blocks go (`RecordBlock.spill`), so that
/// replay's memory does not grow with the log: one unlinked temporary file in `TMPDIR` (`/tmp`
/// when unset), created at the first block written, gone with the process. Written once per block
/// (16 KiB of slots and the aggregate, `SpilledAggregate`), read back whole when a repeat touches the
/// block (`SpillCache`; one 16-byte slot for the loose ends' lookups), the aggregate when the totals are rendered, whole when a merge or the
/// stored state needs it.
///
/// Shared by the tasks of one replay: each write takes its own range of the file (an atomic
/// counter) and `pwrite`/`pread` need no lock. A failure (no space, no such directory) is kept,
/// the block stays in memory, and `Replay.run` reports it as an error when the reading ends.
package final class SlotSpill: Sendable {
    package let directory: String
    private let descriptor = Atomic<Int32>(-1)
    private let end = Atomic<Int>(0)
    /// The first `errno` of a failed create, write or read (0: none).
    private let failedErrno = Atomic<Int32>(0)

    package init(directory: String? = nil) {
        let tmp = directory ?? ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        self.directory = tmp
    }

    deinit {
        let fd = descriptor.load(ordering: .acquiring)
        if fd >= 0 { close(fd) }
    }

    /// Why the spill failed, if it did: a clear message for the command's error.
    package var failure: String? {
        let e = failedErrno.load(ordering: .acquiring)
        guard e != 0 else { return nil }
        return "replay's temporary file (of record slots) cannot be written or read here: \(String(cString: strerror(e)))"
    }

    /// Appends `bytes`; their offset, or nil (and `failure` set) when the file cannot take them.
    func write(_ bytes: [UInt8]) -> Int? {
        guard let fd = file() else { return nil }
        let offset = end.wrappingAdd(bytes.count, ordering: .relaxed).oldValue
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { buf in
                pwrite(fd, buf.baseAddress.map { $0 + done }, bytes.count - done, off_t(offset + done))
            }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return fail(n < 0 ? errno : ENOSPC) }
            done += n
        }
        return offset
    }

    /// `count` bytes at `offset`, or nil (and `failure` set) when they cannot be read back.
    func read(at offset: Int, count: Int) -> [UInt8]? {
        guard let fd = file() else { return nil }
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = bytes.withUnsafeMutableBytes { buf in
                pread(fd, buf.baseAddress.map { $0 + done }, count - done, off_t(offset + done))
            }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return fail(n < 0 ? errno : EIO) }
            done += n
        }
        return bytes
    }

    /// The file, created (and unlinked at once) on first use; the loser of a race closes its own.
    private func file() -> Int32? {
        let fd = descriptor.load(ordering: .acquiring)
        if fd >= 0 { return fd }
        guard failedErrno.load(ordering: .acquiring) == 0 else { return nil }
        var template = Array((directory.hasSuffix("/") ? directory : directory + "/").utf8CString.dropLast()) + Array("vdm-replay-slots.XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buf in buf.baseAddress.map { mkstemp($0) } ?? -1 }
        guard made >= 0 else { return fail(errno) }
        template.withUnsafeBufferPointer { buf in _ = buf.baseAddress.map { unlink($0) } }
        let (won, current) = descriptor.compareExchange(expected: -1, desired: made, ordering: .acquiringAndReleasing)
        if !won { close(made) }
        return won ? made : current
    }

    /// Records bytes read back that do not decode (as an I/O error: the file is this process's own).
    func noteUnreadable() {
        let _: Int? = fail(EIO)
    }

    private func fail<T>(_ code: Int32) -> T? {
        _ = failedErrno.compareExchange(expected: 0, desired: code == 0 ? EIO : code, ordering: .acquiringAndReleasing)
        return nil
    }
}
