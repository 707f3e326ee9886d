import Glibc
public import LogPipeline

/// Writes each record as one RFC 3164-style datagram to a local syslog socket (/dev/log by default):
/// `<PRI>vandamme-proxy[pid]: [abcd1234] message` (see `SyslogLine`). syslog carries the human line
/// only; configure a `json:` target alongside for records that replay.
///
/// Same rules as `JournaldSink`: the caller only enqueues, a background thread sends; if the socket
/// fails twice in a row (one reconnect, for a restarted daemon) the record and everything after it go
/// to the console, said once.
public struct SyslogSink: LogSink, LogTargetStatus {
    public let name = "syslog"
    public static let defaultSocketPath = "/dev/log"
    private let pump: RecordPump

    public init(
        socketPath: String = SyslogSink.defaultSocketPath,
        identifier: String = Schema.serviceName,
        facility: SyslogFacility = .user,
        redactor: Redactor = Redactor(),
        policy: SinkQueuePolicy = SinkQueuePolicy(),
        stallTimeout: Duration = .seconds(2),
        fallback: (@Sendable () -> any LogSink)? = nil,
        notice: @escaping @Sendable (String) -> Void = FallbackNotice.standardError
    ) {
        let line = SyslogLine(identifier: identifier, facility: facility, pid: getpid(), redactor: redactor)
        pump = RecordPump(
            requestedTarget: "syslog", transport: SyslogTransport(path: socketPath, line: line),
            policy: policy, stallTimeout: stallTimeout,
            fallback: fallback ?? { ConsoleFallback.make(redactor: redactor) }, notice: notice)
    }

    public func write(_ record: LogRecord) { pump.write(record) }
    public func flush() { pump.flush() }
    /// Flushes and stops the sending thread (and the fallback's). Idempotent.
    public func close() { pump.close() }
    public var dropCounters: [SinkDropCounter] { [pump.drops] }

    public var requestedTarget: String { pump.requestedTarget }
    public var effectiveTarget: String { pump.effectiveTarget }
    public var fallbackReason: String? { pump.fallbackReason }
    /// Datagrams the socket accepted.
    public var deliveredCount: UInt64 { pump.deliveredCount }

    /// Whether a syslog daemon listens on `socketPath` now.
    public static func isAvailable(socketPath: String = defaultSocketPath) -> Bool {
        UnixDatagramSocket.isListening(at: socketPath)
    }

    /// journald's fallback: syslog if something listens on `socketPath`, else the console, so a
    /// failing journald is reported once, not once per level of the chain.
    public static func fallbackChain(
        socketPath: String = defaultSocketPath, identifier: String = Schema.serviceName, facility: SyslogFacility = .user,
        redactor: Redactor = Redactor(), notice: @escaping @Sendable (String) -> Void = FallbackNotice.standardError
    ) -> any LogSink {
        guard isAvailable(socketPath: socketPath) else { return ConsoleFallback.make(redactor: redactor) }
        return SyslogSink(socketPath: socketPath, identifier: identifier, facility: facility, redactor: redactor, notice: notice)
    }
}

/// Sends formatted lines over a datagram socket; lives on the pump's thread.
final class SyslogTransport: RecordTransport, @unchecked Sendable {
    // @unchecked: used only from the pump's thread.
    private let path: String
    private let line: SyslogLine
    private var socket: UnixDatagramSocket?
    private var bytes: [UInt8] = []
    /// Well under the default socket buffer; longer lines are cut with a marker rather than lost.
    static let maxDatagram = 64 << 10

    init(path: String, line: SyslogLine) {
        self.path = path
        self.line = line
    }

    func deliver(_ record: LogRecord) -> DeliveryResult {
        bytes.removeAll(keepingCapacity: true)
        line.format(record, into: &bytes)
        if bytes.count > Self.maxDatagram { Self.truncate(&bytes, to: Self.maxDatagram) }
        var lastError = ""
        // Two tries: a daemon restart leaves the connected socket dead until we reconnect.
        for _ in 0..<2 {
            if socket == nil {
                do { socket = try UnixDatagramSocket(connectingTo: path) } catch {
                    lastError = error.text
                    continue
                }
            }
            guard let socket else { continue }
            var code = socket.send(bytes)
            if code == EMSGSIZE {
                Self.truncate(&bytes, to: 2048)  // the receiver's buffer is smaller than ours
                code = socket.send(bytes)
            }
            if code == 0 { return .delivered }
            lastError = "send \(path): \(errorText(code))"
            self.socket = nil
        }
        return .failed(lastError)
    }

    /// Cuts at a UTF-8 character boundary and marks the cut.
    static func truncate(_ bytes: inout [UInt8], to limit: Int) {
        guard bytes.count > limit else { return }
        let marker = Array(" …[truncated]".utf8)
        var cut = max(0, limit - marker.count)
        while cut > 0 && bytes[cut] & 0xC0 == 0x80 { cut -= 1 }
        bytes.removeSubrange(cut...)
        bytes.append(contentsOf: marker)
    }
}

/// The last resort: console lines on stderr.
enum ConsoleFallback {
    static func make(redactor: Redactor, policy: SinkQueuePolicy = SinkQueuePolicy()) -> any LogSink {
        do {
            return try ConsoleSink(destination: .standardError, formatter: ConsoleFormatter(redactor: redactor), policy: policy)
        } catch {
            // stderr needs no open(2), so this does not happen; keep the records anyway.
            return UnbufferedStandardErrorSink(formatter: ConsoleFormatter(redactor: redactor))
        }
    }
}

private struct UnbufferedStandardErrorSink: LogSink {
    let formatter: ConsoleFormatter
    var name: String { "console" }

    func write(_ record: LogRecord) {
        var line: [UInt8] = []
        formatter.format(record, into: &line)
        line.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count, let base = raw.baseAddress {
                let n = Glibc.write(STDERR_FILENO, base + offset, raw.count - offset)
                if n <= 0 { return }
                offset += n
            }
        }
    }

    func flush() {}
}
