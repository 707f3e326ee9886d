import Glibc

/// A connected `AF_UNIX`/`SOCK_DGRAM` socket (e.g. to /dev/log); closed when released.
/// Not thread-safe: owned by one thread.
final class UnixDatagramSocket {
    let path: String
    private let fd: Int32

    /// Connects to `path`; the error names the path and the reason.
    init(connectingTo path: String) throws(SocketError) {
        self.path = path
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        let pathBytes = Array(path.utf8)
        guard !pathBytes.isEmpty, pathBytes.count < capacity else {
            throw SocketError(text: "\(path): not a usable socket path")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
        }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SocketError(text: "socket: \(lastErrorText())") }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + pathBytes.count + 1)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, length) }
        }
        guard rc == 0 else {
            let reason = lastErrorText()
            Glibc.close(fd)
            throw SocketError(text: "connect \(path): \(reason)")
        }
        self.fd = fd
    }

    deinit { Glibc.close(fd) }

    /// Whether something listens on `path` right now.
    static func isListening(at path: String) -> Bool {
        (try? UnixDatagramSocket(connectingTo: path)) != nil
    }

    /// Sends one datagram; returns 0 or the errno.
    func send(_ bytes: [UInt8]) -> Int32 {
        bytes.withUnsafeBytes { raw in
            while true {
                if Glibc.send(fd, raw.baseAddress, raw.count, Int32(MSG_NOSIGNAL)) >= 0 { return 0 }
                if errno != EINTR { return errno }
            }
        }
    }
}

struct SocketError: Error, CustomStringConvertible {
    let text: String
    var description: String { text }
}

func lastErrorText() -> String { String(cString: strerror(errno)) }
func errorText(_ code: Int32) -> String { String(cString: strerror(code)) }
