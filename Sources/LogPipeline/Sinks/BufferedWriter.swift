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
/// `write(2)` per batch. The buffer is bounded (`SinkQueuePolicy.bufferBytes`): a producer that finds
/// it full waits at most `maxWait` (`QueueAdmission`), then its record is dropped and counted. Line
/// order is the order of `append` calls.
///
/// After a small batch the writer lingers (`linger`, 10 ms) before taking the next one, and producers
/// wake it only when it is asleep: under load a record then costs a lock and a copy instead of a futex
/// wake and a `write(2)` of its own. A record reaches the file at most `linger` later; `flush()` cuts
/// the linger short. 10 ms, not 1: at 1,000 req/s the 1 ms linger cost each sink a futex wait and a
/// `write(2)` per request or two (strace of the proxy under load), on the cores serving requests.
///
/// `reopen()` (SIGHUP, after logrotate renamed the file) opens the path anew between two batches: every
/// byte goes to exactly one of the two files, none twice. `close()` flushes, ends the thread and
/// closes the descriptor; both are bounded by `settleTimeout`, since a stuck destination must not hold
/// shutdown forever either.
final class BufferedWriter: @unchecked Sendable {
    // @unchecked: every mutable field below is only touched with `condition` held, except `fd` and
    // `failed`, which only the writer thread touches once running (`reopen` hands it the new path).
    private let condition = NSCondition()
    /// Unchecked: the lock already makes every access exclusive, and the runtime's dynamic check
    /// (a thread-local access set, taken around each `appendLine`'s closure) cost ~3% of a record.
    @exclusivity(unchecked) private var pending = LineBuffer(capacity: 64 << 10)
    private var pendingRecords = 0
    private var batchRecords = 0
    private var writing = false
    private var closed = false
    private var finished = false
    private var writerAsleep = false
    private var producersWaiting = 0
    private var flushRequested = false
    private var reopenRequests = 0
    private var reopensDone = 0
    private var lastReopen: ReopenOutcome = .reopened
    private var failed = false  // writer thread only
    private var fd: Int32  // writer thread only, once started
    private let path: String?
    private let capacity: Int
    private let admission: QueueAdmission

    private let linger: Duration
    /// Batches at least this large are written back to back, without lingering.
    private static let fullBatch = 64 << 10
    /// How long `flush`, `close` and `reopen` wait for the writer.
    static let settleTimeout: Duration = .seconds(5)

    init(destination: LogDestination, policy: SinkQueuePolicy = SinkQueuePolicy(), drops: SinkDropCounter,
         linger: Duration = .milliseconds(10)) throws {
        switch destination {
        case .standardOutput: fd = STDOUT_FILENO; path = nil
        case .standardError: fd = STDERR_FILENO; path = nil
        case .file(let file):
            fd = try Self.open(file)
            path = file
        }
        self.capacity = policy.bufferBytes
        self.admission = QueueAdmission(policy: policy, drops: drops)
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
        defer { condition.unlock() }
        guard !closed else {
            admission.drops.recordDrop()
            return
        }
        let admitted = admission.admit(isFull: { pending.count >= capacity && !closed }) { deadline in
            producersWaiting += 1
            condition.broadcast()  // a lingering writer takes the full buffer now
            _ = condition.wait(until: deadline)
            producersWaiting -= 1
        }
        guard admitted, !closed else {
            if admitted { admission.drops.recordDrop() }
            return
        }
        write(&pending)
        pendingRecords += 1
        if writerAsleep { condition.broadcast() }
    }

    /// Waits until every byte appended before the call has been written (at most `settleTimeout`).
    /// Returns whether it was.
    @discardableResult
    func flush() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        return settle { pending.count == 0 && !writing }
    }

    /// Flushes, ends the writer thread and closes the file. Idempotent. Records appended later are
    /// dropped and counted. If the destination is stuck past `settleTimeout`, what it still holds is
    /// counted as dropped and the thread ends when its write returns.
    func close() {
        condition.lock()
        defer { condition.unlock() }
        var drained = true
        if !closed {
            drained = settle { pending.count == 0 && !writing }
            closed = true
            condition.broadcast()
        }
        if !drained || !settle({ finished }) {
            // Stuck in write(2): what it holds will not be written before the process goes.
            for _ in 0..<(pendingRecords + batchRecords) { admission.drops.recordDrop() }
            pendingRecords = 0
            batchRecords = 0
            pending.removeAll()
        }
    }

    /// Opens the file's path anew before the next batch (logrotate's rename, then SIGHUP). Waits for the
    /// writer to do it (at most `settleTimeout`); everything appended after the call goes to the new file.
    func reopen() -> ReopenOutcome {
        guard path != nil else { return .notAFile }
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return .failed("closed") }
        reopenRequests += 1
        let ticket = reopenRequests
        condition.broadcast()
        return settle { reopensDone >= ticket } ? lastReopen : .pending
    }

    /// With the lock held: waits until `done` or `settleTimeout`, waking the writer out of its linger.
    private func settle(_ done: () -> Bool) -> Bool {
        let deadline = Date(timeIntervalSinceNow: Self.settleTimeout.seconds)
        flushRequested = true
        condition.broadcast()
        defer { flushRequested = false }
        while !done() {
            producersWaiting += 1
            let inTime = condition.wait(until: deadline)
            producersWaiting -= 1
            if !inTime && !done() { return false }
        }
        return true
    }

    private func run() {
        var batch = LineBuffer(capacity: 64 << 10)
        condition.lock()
        while true {
            while pending.count == 0 && !closed && reopensDone == reopenRequests {
                writerAsleep = true
                condition.wait()
                writerAsleep = false
            }
            if reopensDone != reopenRequests {
                let target = reopenRequests
                condition.unlock()
                let outcome = reopenFile()
                condition.lock()
                lastReopen = outcome
                reopensDone = target
                condition.broadcast()
                continue
            }
            if pending.count == 0 && closed {
                if path != nil { _ = Glibc.close(fd) }
                finished = true
                condition.broadcast()
                condition.unlock()
                return
            }
            swap(&batch, &pending)
            batchRecords = pendingRecords
            pendingRecords = 0
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
            batchRecords = 0
            if producersWaiting > 0 { condition.broadcast() }
            let lingering = wasSmall && !flushRequested && !closed && reopensDone == reopenRequests
            if lingering {
                // Let more records gather (producers do not wake it for that); flush(), close(),
                // reopen() and a full buffer do.
                _ = condition.wait(until: Date(timeIntervalSinceNow: linger.seconds))
            }
        }
    }

    /// On the writer thread, between batches: the new file first, then the old one closed, so a
    /// failure leaves records going to the old file.
    private func reopenFile() -> ReopenOutcome {
        guard let path else { return .notAFile }
        let opened: Int32
        do { opened = try Self.open(path) } catch { return .failed(error.reason) }
        _ = Glibc.close(fd)
        fd = opened
        failed = false
        return .reopened
    }

    private static func open(_ path: String) throws(LogDestinationError) -> Int32 {
        let opened = Glibc.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard opened >= 0 else {
            throw LogDestinationError(path: path, reason: String(cString: strerror(errno)))
        }
        return opened
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
