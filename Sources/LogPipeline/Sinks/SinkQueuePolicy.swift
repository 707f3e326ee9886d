/// The one rule every log sink's queue follows (file, console, journald, syslog): a writer — the
/// tracker, an event loop, a request — that finds the queue full waits at most `maxWait` for room;
/// past it the record is dropped and counted (`SinkDropCounter`), which shows up as a sequence gap in
/// that output, on `/metrics` as `vdm_log_records_dropped_total{sink}` and as a WARNING on the others.
/// While a burst of drops lasts (the queue still full) later records are dropped without waiting, so a
/// stuck output costs the request path one bounded wait per burst, not one per record.
/// Applied by `QueueAdmission`; documented in docs/operations.md and docs/configuration.md.
public struct SinkQueuePolicy: Sendable, Equatable {
    /// Longest a writer waits for room in a full queue.
    public var maxWait: Duration
    /// Bytes the file and console sinks hold before writers wait (`BufferedWriter`).
    public var bufferBytes: Int
    /// Records the journald and syslog sinks hold before writers wait (`RecordPump`).
    public var queueRecords: Int

    public init(maxWait: Duration = Self.defaultMaxWait, bufferBytes: Int = Self.defaultBufferBytes,
                queueRecords: Int = Self.defaultQueueRecords) {
        self.maxWait = max(.zero, maxWait)
        self.bufferBytes = max(1, bufferBytes)
        self.queueRecords = max(1, queueRecords)
    }

    /// 100 ms: far longer than a healthy writer needs to make room (it drains megabytes per
    /// millisecond to a file or a read pipe), so a drop means the output is stuck, not slow; and short
    /// enough that a stuck output adds less to one request than a provider's time to first token.
    public static let defaultMaxWait: Duration = .milliseconds(100)
    /// 4 MiB: about 4,000 completed-request records, several seconds of a busy proxy.
    public static let defaultBufferBytes = 4 << 20
    public static let defaultQueueRecords = 8192

    public static let maxWaitVariable = "VDM_LOG_QUEUE_WAIT_MS"
    public static let bufferBytesVariable = "VDM_LOG_QUEUE_BYTES"
    /// Accepted ranges: 0 ms (drop at once) to 10 s; 4 KiB to 1 GiB.
    public static let maxWaitMillisRange = 0...10_000
    public static let bufferBytesRange = 4096...(1 << 30)

    /// A variable out of its range, named.
    public struct SettingError: Error, CustomStringConvertible, Sendable {
        public let variable: String
        public let problem: String
        public var description: String { "\(variable): \(problem)" }
    }

    /// The policy from `VDM_LOG_QUEUE_WAIT_MS` and `VDM_LOG_QUEUE_BYTES` (unset or empty: the default).
    /// A value that is not a whole number in its range is an error, not silently the default.
    public static func fromEnvironment(_ env: [String: String]) throws(SettingError) -> SinkQueuePolicy {
        var policy = SinkQueuePolicy()
        if let millis = try number(env, maxWaitVariable, in: maxWaitMillisRange) { policy.maxWait = .milliseconds(millis) }
        if let bytes = try number(env, bufferBytesVariable, in: bufferBytesRange) { policy.bufferBytes = bytes }
        return policy
    }

    private static func number(_ env: [String: String], _ variable: String, in range: ClosedRange<Int>) throws(SettingError) -> Int? {
        guard let text = env[variable], !text.isEmpty else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw SettingError(variable: variable, problem: "must be a whole number from \(range.lowerBound) to \(range.upperBound) (got '\(text.prefix(40))')")
        }
        return value
    }
}
