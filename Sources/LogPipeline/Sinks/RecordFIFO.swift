/// The queue a sink's thread drains: records appended at the back, taken from the front in amortized
/// O(1). The taken prefix is let go when the queue empties, or once it is at least 1024 records and half
/// the storage, so the storage stays within twice what is queued. Not synchronized: the sink holds its
/// lock around every call.
public struct RecordFIFO: Sendable {
    private var storage: [LogRecord] = []
    private var head = 0

    public init(reservingCapacity capacity: Int = 0) { storage.reserveCapacity(capacity) }

    public var count: Int { storage.count - head }

    public mutating func append(_ record: LogRecord) { storage.append(record) }

    /// The oldest record; the caller checks `count > 0` first.
    public mutating func removeFirst() -> LogRecord {
        let record = storage[head]
        head += 1
        if head == storage.count {
            storage.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 1024 && head * 2 >= storage.count {
            storage.removeFirst(head)
            head = 0
        }
        return record
    }

    /// Lets every record go, and the storage with them.
    public mutating func removeAll() {
        storage = []
        head = 0
    }
}
