import Foundation
import Glibc
import Synchronization

/// Takes over /dev/log (inside scripts/with-journald's namespace, where /dev is a private overlay)
/// with a datagram socket of its own, so a syslog fallback can be observed while journald is down.
/// `stop()` puts journald's socket back.
final class DevLogListener: Sendable {
    static let path = "/dev/log"
    static let journaldDevLog = "/run/systemd/journal/dev-log"
    private let fd: Int32
    private let lines = Mutex<[String]>([])
    private let running = Atomic<Bool>(true)
    private let finished = DispatchSemaphore(value: 0)

    init() throws {
        unlink(Self.path)
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TestEnvironmentError("socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(Self.path.utf8)) }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            Self.restoreJournaldLink()
            throw TestEnvironmentError("bind \(Self.path): \(reason)")
        }
        // Wake up now and then to notice stop().
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let thread = Thread { [self] in self.receive() }
        thread.start()
    }

    private func receive() {
        var buffer = [UInt8](repeating: 0, count: 256 << 10)
        while running.load(ordering: .relaxed) {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                let line = String(decoding: buffer[..<n], as: UTF8.self)
                lines.withLock { $0.append(line) }
            }
        }
        finished.signal()
    }

    var received: [String] { lines.withLock { $0 } }

    /// Waits (up to 10 s) for `count` datagrams.
    func waitFor(_ count: Int) -> [String] {
        let deadline = Date().addingTimeInterval(10)
        while received.count < count && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        return received
    }

    func stop() {
        guard running.exchange(false, ordering: .relaxed) else { return }
        finished.wait()
        close(fd)
        Self.restoreJournaldLink()
    }

    private static func restoreJournaldLink() {
        unlink(path)
        symlink(journaldDevLog, path)
    }
}

/// Redirects this process's stderr (fd 2) to a file until `finish()`.
final class StandardErrorCapture {
    private let saved: Int32
    private let path: String
    private var done = false

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("vdm-stderr-\(UUID().uuidString)").path
        let file = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard file >= 0 else { throw TestEnvironmentError("open \(path): \(String(cString: strerror(errno)))") }
        saved = dup(STDERR_FILENO)
        dup2(file, STDERR_FILENO)
        close(file)
    }

    /// Restores stderr and returns what was written meanwhile.
    func finish() -> String {
        if !done {
            done = true
            dup2(saved, STDERR_FILENO)
            close(saved)
        }
        defer { unlink(path) }
        return (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    deinit { _ = finish() }
}
