/// One journal entry as read back: its fields (raw bytes, as journald stores them) plus the two
/// address fields journalctl prints as `__REALTIME_TIMESTAMP` and `__CURSOR`.
public struct JournalEntry: Sendable, Equatable {
    /// Field name → value. A field repeated within one entry keeps its first value (vdm sends none twice).
    public var fields: [String: [UInt8]]
    /// When journald received the entry, µs since the Unix epoch.
    public var realtimeMicros: UInt64
    /// Opaque position, usable with `journalctl --after-cursor`.
    public var cursor: String

    public init(fields: [String: [UInt8]], realtimeMicros: UInt64, cursor: String) {
        self.fields = fields
        self.realtimeMicros = realtimeMicros
        self.cursor = cursor
    }

    /// A field as text (invalid UTF-8 repaired).
    public subscript(_ name: String) -> String? {
        fields[name].map { String(decoding: $0, as: UTF8.self) }
    }

    /// The full ECS JSON record (one line, no newline): what replay reads.
    public var ecsJSON: [UInt8]? { fields[JournalFieldName.ecsJSON] }
    public var correlationID: String? { self[JournalFieldName.correlationID] }
    public var message: String? { self["MESSAGE"] }
}
