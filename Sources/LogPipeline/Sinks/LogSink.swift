/// Where records go. A sink renders on the caller's thread and must not block it for long: I/O
/// happens behind a bounded queue that follows `SinkQueuePolicy` (see `BufferedWriter`).
public protocol LogSink: Sendable {
    /// Short name for `/health` and `/metrics/logs` (`console`, `json:/var/log/vdm.json`, `journald`, …).
    var name: String { get }
    func write(_ record: LogRecord)
    /// Blocks until everything written so far has reached the destination (bounded: see the sink).
    func flush()
    /// Flushes, then ends the sink's thread and closes its descriptor. Idempotent; records written
    /// later are dropped and counted.
    func close()
    /// File outputs open their path anew (SIGHUP after logrotate renamed the file); one entry each.
    func reopen() -> [SinkReopen]
    /// One counter per queue of this sink: the records `SinkQueuePolicy` made it drop.
    var dropCounters: [SinkDropCounter] { get }
}

extension LogSink {
    public func close() { flush() }
    public func reopen() -> [SinkReopen] { [] }
    public var dropCounters: [SinkDropCounter] { [] }
}

/// Sends each record to several sinks.
public struct FanOutSink: LogSink {
    public let sinks: [any LogSink]
    public init(_ sinks: [any LogSink]) { self.sinks = sinks }
    public var name: String { sinks.map(\.name).joined(separator: "+") }
    public func write(_ record: LogRecord) { for sink in sinks { sink.write(record) } }
    public func flush() { for sink in sinks { sink.flush() } }
    public func close() { for sink in sinks { sink.close() } }
    public func reopen() -> [SinkReopen] { sinks.flatMap { $0.reopen() } }
    public var dropCounters: [SinkDropCounter] { sinks.flatMap(\.dropCounters) }
}

/// ECS JSON lines to a file, stdout or stderr.
public struct JSONLinesSink: LogSink {
    public let name: String
    private let writer: BufferedWriter
    private let encoder: ECSJSONEncoder
    private let drops: SinkDropCounter

    public init(destination: LogDestination, encoder: ECSJSONEncoder = ECSJSONEncoder(), policy: SinkQueuePolicy = SinkQueuePolicy()) throws {
        let name = "json:" + destination.description
        self.drops = SinkDropCounter(sink: name)
        self.writer = try BufferedWriter(destination: destination, policy: policy, drops: drops)
        self.encoder = encoder
        self.name = name
    }

    public func write(_ record: LogRecord) {
        writer.appendLine { encoder.encode(record, to: &$0) }
    }

    public func flush() { writer.flush() }
    public func close() { writer.close() }
    public func reopen() -> [SinkReopen] { [SinkReopen(sink: name, outcome: writer.reopen())] }
    public var dropCounters: [SinkDropCounter] { [drops] }
}

/// The human console line to a file, stdout or stderr.
public struct ConsoleSink: LogSink {
    public let name: String
    private let writer: BufferedWriter
    private let formatter: ConsoleFormatter
    private let drops: SinkDropCounter

    public init(destination: LogDestination = .standardError, formatter: ConsoleFormatter = ConsoleFormatter(),
                policy: SinkQueuePolicy = SinkQueuePolicy()) throws {
        let name = destination == .standardError ? "console" : "console:" + destination.description
        self.drops = SinkDropCounter(sink: name)
        self.writer = try BufferedWriter(destination: destination, policy: policy, drops: drops)
        self.formatter = formatter
        self.name = name
    }

    public func write(_ record: LogRecord) {
        writer.appendLine { formatter.format(record, into: &$0) }
    }

    public func flush() { writer.flush() }
    public func close() { writer.close() }
    public func reopen() -> [SinkReopen] { [SinkReopen(sink: name, outcome: writer.reopen())] }
    public var dropCounters: [SinkDropCounter] { [drops] }
}
