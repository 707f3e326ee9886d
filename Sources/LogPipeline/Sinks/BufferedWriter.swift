import Glibc
import Foundation

public enum LogDestination: Sendable, Equatable, CustomStringConvertible {
    case standardOutput
    case standardError
    case file(String)

    public var description: String {
        switch self {
        case .standardOutput: "stdout"
        case .standardError: "stderr"
        case .file(let path): path
        }
    }
}

public struct LogDestinationError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "cannot open log file \(path): \(reason)" }
}

/// Appends bytes to a file descriptor from a dedicated thread.
///
/// Producers copy their line into a shared buffer and return; the writer thread drains it with one
/// `write(2)` per batch. The buffer is bounded: when it is full, producers wait for the writer, so
/// memory stays bounded and nothing is dropped. Line order is the order of `append` calls.
///
/// After a small batch the writer lingers (`linger`, 10 ms) before taking the next one, and producers
/// wake it only when it is asleep: under load a record then costs a lock and a copy instead of a futex
/// wake and a `write(2)` of its own. A record reaches the file at most `linger` later; `flush()` cuts
/// the linger short. 10 ms, not 1: at 1,000 req/s the 1 ms linger cost each sink a futex wait and a
/// `write(2)` per request or two (strace of the proxy under load), on the cores serving requests.
final class BufferedWriter: @unchecked Sendable {
    // @unchecked: every mutable field below is only touched with `condition` held.
    private let condition = NSCondition()
    /// Unchecked: the lock already makes every access exclusive, and the runtime's dynamic check
    /// (a thread-local access set, taken around each `appendLine`'s closure) cost ~3% of a record.
    @exclusivity(unchecked) private var pending = LineBuffer(capacity: 64 << 10)
    private var writing = false
    private var closed = false
    private var writerAsleep = false
    private var producersWaiting = 0
    private var flushRequested = false
    private var failed = false  // writer thread only
    private let fd: Int32
    private let ownsFD: Bool
    private let capacity: Int

    private let linger: Duration
    /// Batches at least this large are written back to back, without lingering.
    private static let fullBatch = 64 << 10

    init(destination: LogDestination, capacity: Int = 4 << 20, linger: Duration = .milliseconds(10)) throws {
        switch destination {
        case .standardOutput: fd = STDOUT_FILENO; ownsFD = false
        case .standardError: fd = STDERR_FILENO; ownsFD = false
        case .file(let path):
            let opened = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
            guard opened >= 0 else {
                throw LogDestinationError(path: path, reason: String(cString: strerror(errno)))
            }
            fd = opened
            ownsFD = true
        }
        self.capacity = capacity
        self.linger = linger
        let thread = Thread { [self] in self.run() }
        thread.name = "vdm-log-writer"
        thread.start()
    }

    // Producers may still append after `close()` (their bytes go nowhere), so the shared buffer lives
    // as long as the writer: the thread holds `self` until `run` returns.
    // (`pending` frees its memory in its own deinit.)

    /// Lets `write` append one line straight into the shared buffer, under the lock: the JSON and
    /// console sinks render their record there, with no line of their own to allocate, fill and copy.
    /// `write` must only append bytes (it runs with the lock held).
    func appendLine(_ write: (inout LineBuffer) -> Void) {
        condition.lock()
        while pending.count >= capacity && !closed {
            producersWaiting += 1
            condition.broadcast()  // a lingering writer takes the full buffer now
            condition.wait()
            producersWaiting -= 1
        }
        write(&pending)
        if writerAsleep { condition.broadcast() }
        condition.unlock()
    }

    /// Waits until every byte appended before the call has been written.
    func flush() {
        condition.lock()
        flushRequested = true
        condition.broadcast()
        while pending.count > 0 || writing {
            producersWaiting += 1
            condition.wait()
            producersWaiting -= 1
        }
        flushRequested = false
        condition.unlock()
    }

    func close() {
        flush()
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    private func run() {
        var batch = LineBuffer(capacity: 64 << 10)
        while true {
            condition.lock()
            while pending.count == 0 && !closed {
                writerAsleep = true
                condition.wait()
                writerAsleep = false
            }
            if pending.count == 0 && closed {
                condition.unlock()
                if ownsFD { _ = Glibc.close(fd) }
                return
            }
            swap(&batch, &pending)
            writing = true
            if producersWaiting > 0 { condition.broadcast() }  // room for producers waiting on a full buffer
            condition.unlock()

            if !Self.writeAll(batch.bytes, to: fd) {
                // The destination failed (disk full, closed pipe): say so once, then keep every
                // record by writing to stderr instead.
                if !failed {
                    failed = true
                    let note = "vdm: log destination failed (\(String(cString: strerror(errno)))); writing to stderr\n"
                    _ = Array(note.utf8).withUnsafeBytes { Self.writeAll($0, to: STDERR_FILENO) }
                }
                _ = Self.writeAll(batch.bytes, to: STDERR_FILENO)
            }
            let wasSmall = batch.count < Self.fullBatch
            batch.removeAll()

            condition.lock()
            writing = false
            if producersWaiting > 0 { condition.broadcast() }
            let lingering = wasSmall && !flushRequested && !closed
            if lingering {
                // Let more records gather (producers do not wake it for that); flush(), close() and a
                // full buffer do.
                _ = condition.wait(until: Date(timeIntervalSinceNow: linger.seconds))
            }
            condition.unlock()
        }
    }

    private static func writeAll(_ raw: UnsafeRawBufferPointer, to fd: Int32) -> Bool {
        guard let base = raw.baseAddress else { return true }
        var offset = 0
        while offset < raw.count {
            let n = Glibc.write(fd, base + offset, raw.count - offset)
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return false
            }
            offset += n
        }
        return true
    }
}

private extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
