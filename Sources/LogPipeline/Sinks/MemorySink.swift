import Synchronization

/// Keeps records in memory, rendered by both formatters; for tests and the live "recent logs" view.
public final class MemorySink: LogSink {
    public let name = "memory"
    private let records = Mutex<[LogRecord]>([])

    public init() {}

    public func write(_ record: LogRecord) { records.withLock { $0.append(record) } }
    public func flush() {}

    public var all: [LogRecord] { records.withLock { $0 } }
    public func removeAll() { records.withLock { $0.removeAll() } }
}
