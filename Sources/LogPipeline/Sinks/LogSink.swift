/// Where records go. A sink renders on the caller's thread and must not block it for long:
/// I/O happens behind a bounded buffer (see `BufferedWriter`).
public protocol LogSink: Sendable {
    /// Short name for `/health` and `/metrics/logs` (`console`, `json:/var/log/vdm.json`, `journald`, …).
    var name: String { get }
    func write(_ record: LogRecord)
    /// Blocks until everything written so far has reached the destination.
    func flush()
}

/// Sends each record to several sinks.
public struct FanOutSink: LogSink {
    public let sinks: [any LogSink]
    public init(_ sinks: [any LogSink]) { self.sinks = sinks }
    public var name: String { sinks.map(\.name).joined(separator: "+") }
    public func write(_ record: LogRecord) { for sink in sinks { sink.write(record) } }
    public func flush() { for sink in sinks { sink.flush() } }
}

/// ECS JSON lines to a file, stdout or stderr.
public struct JSONLinesSink: LogSink {
    public let name: String
    private let writer: BufferedWriter
    private let encoder: ECSJSONEncoder

    public init(destination: LogDestination, encoder: ECSJSONEncoder = ECSJSONEncoder()) throws {
        self.writer = try BufferedWriter(destination: destination)
        self.encoder = encoder
        self.name = "json:" + destination.description
    }

    public func write(_ record: LogRecord) {
        writer.appendLine { encoder.encode(record, to: &$0) }
    }

    public func flush() { writer.flush() }
}

/// The human console line to a file, stdout or stderr.
public struct ConsoleSink: LogSink {
    public let name: String
    private let writer: BufferedWriter
    private let formatter: ConsoleFormatter

    public init(destination: LogDestination = .standardError, formatter: ConsoleFormatter = ConsoleFormatter()) throws {
        self.writer = try BufferedWriter(destination: destination)
        self.formatter = formatter
        self.name = destination == .standardError ? "console" : "console:" + destination.description
    }

    public func write(_ record: LogRecord) {
        writer.appendLine { formatter.format(record, into: &$0) }
    }

    public func flush() { writer.flush() }
}
