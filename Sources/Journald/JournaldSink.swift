import CSystemd
import Glibc
public import LogPipeline

/// Writes each record as one journal entry through libsystemd's `sd_journal_sendv` (the native
/// protocol: structured fields, multi-line values, memfd for large entries). Fields and MESSAGE_IDs
/// are listed in docs/journald.md.
///
/// The caller only enqueues; a background thread sends. If journald refuses or disappears, the failed
/// record and everything after it go to the fallback (syslog via /dev/log if it answers, else the
/// console), said once on stderr and visible in `effectiveTarget`.
public struct JournaldSink: LogSink, LogTargetStatus {
    public let name = "journald"
    private let pump: RecordPump

    /// - Parameters:
    ///   - policy: the queue's size (`queueRecords`) and writers' bounded wait; past it a record is dropped and counted.
    ///   - stallTimeout: how long journald may accept nothing while the queue is full before the sink
    ///     falls back.
    ///   - fallback: made on the first failure; by default syslog if /dev/log answers, else stderr.
    ///   - notice: receives the one-line explanation of the switch (stderr by default).
    public init(
        identifier: String = Schema.serviceName,
        redactor: Redactor = Redactor(),
        ecsEncoder: ECSJSONEncoder? = nil,
        policy: SinkQueuePolicy = SinkQueuePolicy(),
        stallTimeout: Duration = .seconds(2),
        fallback: (@Sendable () -> any LogSink)? = nil,
        notice: @escaping @Sendable (String) -> Void = FallbackNotice.standardError
    ) {
        let encoder = JournalEntryEncoder(redactor: redactor, ecsEncoder: ecsEncoder, identifier: identifier)
        let makeFallback: @Sendable () -> any LogSink = fallback ?? {
            SyslogSink.fallbackChain(identifier: identifier, redactor: redactor, notice: notice)
        }
        pump = RecordPump(
            requestedTarget: "journald", transport: JournaldTransport(encoder: encoder), policy: policy,
            stallTimeout: stallTimeout, fallback: makeFallback, notice: notice)
    }

    public func write(_ record: LogRecord) { pump.write(record) }
    public func flush() { pump.flush() }
    /// Flushes and stops the sending thread (and the fallback's). Idempotent.
    public func close() { pump.close() }
    public var dropCounters: [SinkDropCounter] { [pump.drops] }

    public var requestedTarget: String { pump.requestedTarget }
    public var effectiveTarget: String { pump.effectiveTarget }
    public var fallbackReason: String? { pump.fallbackReason }
    /// Entries journald accepted.
    public var deliveredCount: UInt64 { pump.deliveredCount }
}

/// Sends encoded entries with `sd_journal_sendv`; lives on the pump's thread.
final class JournaldTransport: RecordTransport, @unchecked Sendable {
    // @unchecked: used only from the pump's thread.
    private var encoder: JournalEntryEncoder
    private var vectors: [iovec] = []
    /// The path libsystemd sends to (fixed in libsystemd).
    static let socketPath = LogTargetSelection.journaldSocketPath

    init(encoder: JournalEntryEncoder) { self.encoder = encoder }

    func deliver(_ record: LogRecord) -> DeliveryResult {
        // libsystemd reports success when the socket file is missing (it treats "no journal" as
        // nothing to do), which would lose the record silently: look first.
        guard access(Self.socketPath, F_OK) == 0 else {
            return .failed("\(Self.socketPath) is gone")
        }
        encoder.encode(record)
        var attempt = 0
        while true {
            let rc = send()
            if rc >= 0 { return .delivered }
            // Transient conditions get a short retry; anything else means journald is not there.
            if (rc == -EINTR || rc == -EAGAIN || rc == -ENOBUFS) && attempt < 3 {
                attempt += 1
                usleep(1000 << attempt)
                continue
            }
            return .failed("sd_journal_sendv: \(errorText(-rc))")
        }
    }

    private func send() -> Int32 {
        let bytes = encoder.bytes
        let fields = encoder.fields
        return bytes.withUnsafeBytes { raw -> Int32 in
            guard let base = raw.baseAddress else { return -EINVAL }
            vectors.removeAll(keepingCapacity: true)
            for range in fields {
                vectors.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: base + range.lowerBound), iov_len: range.count))
            }
            return vectors.withUnsafeBufferPointer { sd_journal_sendv($0.baseAddress, Int32($0.count)) }
        }
    }
}
