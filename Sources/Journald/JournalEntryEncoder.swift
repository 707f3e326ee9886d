import Logging
public import LogPipeline

/// Turns a `LogRecord` into the `FIELD=value` items of one journal entry (docs/journald.md).
///
/// Fields land back to back in one reusable byte buffer; `fields` records where each starts and ends,
/// so sending is one `iovec` per field and no per-field allocation. Values are raw bytes (libsystemd
/// switches to the binary-safe encoding for values with newlines); every free-text value is redacted.
/// Not thread-safe: one instance per sending thread.
public struct JournalEntryEncoder {
    public var redactor: Redactor
    public var ecsEncoder: ECSJSONEncoder
    public var identifier: String

    /// The encoded entry: all fields, back to back.
    public var bytes: [UInt8] { buffer.bytes }
    /// Byte range of each `NAME=value` item in `bytes`.
    public var fields: [Range<Int>] { buffer.fields }

    private var buffer = EntryBuffer()

    public init(redactor: Redactor = Redactor(), ecsEncoder: ECSJSONEncoder? = nil, identifier: String = Schema.serviceName) {
        self.redactor = redactor
        self.ecsEncoder = ecsEncoder ?? ECSJSONEncoder(redactor: redactor)
        self.identifier = identifier
    }

    /// `[abcd1234] message | error: …`: the console line without its time and level, which journald
    /// records itself (`__REALTIME_TIMESTAMP`, `PRIORITY`). Newlines and tabs stay (journald keeps
    /// multi-line messages whole); other control characters become `\xNN` so `journalctl` shows text.
    public static func message(for record: LogRecord, redactor: Redactor) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(record.message.utf8.count + 16)
        if let prefix = record.correlationPrefix {
            out.append(UInt8(ascii: "["))
            appendText(String(prefix), to: &out)
            out.append(contentsOf: "] ".utf8)
        }
        appendText(redactor.redact(record.message), to: &out)
        if let error = record.error {
            out.append(contentsOf: " | error: ".utf8)
            appendText(redactor.redact(String(describing: error)), to: &out)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The names of the fields of the last encoded entry, in order (for tests and diagnostics).
    public var fieldNamesOfLastEntry: [String] {
        fields.map { range in
            let item = bytes[range]
            let end = item.firstIndex(of: UInt8(ascii: "=")) ?? item.endIndex
            return String(decoding: item[item.startIndex..<end], as: UTF8.self)
        }
    }

    public mutating func encode(_ record: LogRecord) {
        buffer.reset()

        add("MESSAGE", Self.message(for: record, redactor: redactor))
        add("PRIORITY", String(record.level.syslogPriority))
        add("SYSLOG_IDENTIFIER", identifier)
        if let action = record.payload?.action, let id = JournaldMessageID.forAction(action) {
            add("MESSAGE_ID", id)
        }
        if !record.file.isEmpty { add("CODE_FILE", record.file) }
        if record.line > 0 { add("CODE_LINE", String(record.line)) }
        if !record.function.isEmpty { add("CODE_FUNC", record.function) }

        add(JournalFieldName.level, record.level.ecsName)
        if let original = record.originalLevel { add(JournalFieldName.originalLevel, original.ecsName) }
        if let id = record.correlationID, let prefix = record.correlationPrefix {
            add(JournalFieldName.correlationID, redactor.redact(id))
            // Not redacted, exactly as the console's `[abcd1234]`, so the two always match.
            add(JournalFieldName.correlationPrefix, String(prefix))
        }
        if let trace = record.trace {
            add(JournalFieldName.traceID, trace.traceID)
            add(JournalFieldName.spanID, trace.spanID)
        }
        add(JournalFieldName.instanceID, record.instanceID)
        add(JournalFieldName.sequence, String(record.sequence))
        add(JournalFieldName.logger, redactor.redact(record.logger))
        add(JournalFieldName.schema, String(Schema.version))

        if let payload = record.payload {
            add(JournalFieldName.eventAction, payload.action)
            // The visitor borrows the buffer (swapped, so nothing is copied) for the visit.
            var visitor = PayloadFieldWriter(redactor: redactor)
            swap(&visitor.buffer, &buffer)
            payload.visitFields(&visitor)
            swap(&visitor.buffer, &buffer)
        }
        for key in record.metadata.keys.sorted() {
            guard let value = record.metadata[key] else { continue }
            add(buffer.claim(label: key), redactor.redact(Self.flatten(value)))
        }
        if let error = record.error {
            add(buffer.claim(field: "error.type"), redactor.redact(String(reflecting: type(of: error))))
            add(buffer.claim(field: "error.message"), redactor.redact(String(describing: error)))
        }

        buffer.addECSJSON(record, encoder: ecsEncoder)
    }

    private mutating func add(_ name: String, _ value: String) { buffer.add(name, value) }

    /// Same text form as the ECS `labels` values.
    static func flatten(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let s): s
        case .stringConvertible(let c): c.description
        case .array, .dictionary: value.description
        }
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    static func appendText(_ text: String, to out: inout [UInt8]) {
        for byte in text.utf8 {
            if (byte < 0x20 && byte != 0x0A && byte != 0x09) || byte == 0x7F {
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "x"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            } else {
                out.append(byte)
            }
        }
    }
}

/// The bytes of one entry being built, plus the name bookkeeping that outlives entries.
struct EntryBuffer {
    var bytes: [UInt8] = []
    var fields: [Range<Int>] = []
    private var namer = JournalFieldNamer()
    private var fieldNames: [FieldKey: String] = [:]
    private var labelNames: [String: String] = [:]
    private static let nameCacheLimit = 4096

    mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        fields.removeAll(keepingCapacity: true)
        namer.reset()
    }

    mutating func add(_ name: String, _ value: String) {
        let start = bytes.count
        bytes.append(contentsOf: name.utf8)
        bytes.append(UInt8(ascii: "="))
        bytes.append(contentsOf: value.utf8)
        fields.append(start..<bytes.count)
    }

    mutating func addECSJSON(_ record: LogRecord, encoder: ECSJSONEncoder) {
        let start = bytes.count
        bytes.append(contentsOf: JournalFieldName.ecsJSON.utf8)
        bytes.append(UInt8(ascii: "="))
        encoder.encode(record, into: &bytes)
        if bytes.last == UInt8(ascii: "\n") { bytes.removeLast() }
        fields.append(start..<bytes.count)
    }

    mutating func claim(field key: FieldKey) -> String {
        if let name = fieldNames[key] { return namer.claim(name) }
        let name = JournalFieldName.forField(key.name)
        fieldNames[key] = name  // payload keys are our constants: a few dozen, no bound needed
        return namer.claim(name)
    }

    mutating func claim(label key: String) -> String {
        namer.claim(Self.cached(key, in: &labelNames, JournalFieldName.forLabel))
    }

    /// Keys are mostly the same few dozen constants; the cache is bounded because metadata keys are
    /// not ours to control.
    private static func cached(_ key: String, in cache: inout [String: String], _ make: (String) -> String) -> String {
        if let name = cache[key] { return name }
        let name = make(key)
        if cache.count >= nameCacheLimit { cache.removeAll(keepingCapacity: true) }
        cache[key] = name
        return name
    }
}

/// Writes payload fields into the buffer it borrows for the duration of the visit.
private struct PayloadFieldWriter: LogFieldVisitor {
    let redactor: Redactor
    var buffer = EntryBuffer()

    init(redactor: Redactor) { self.redactor = redactor }

    mutating func visit(_ key: FieldKey, int value: Int64) {
        buffer.add(buffer.claim(field: key), String(value))
    }

    mutating func visit(_ key: FieldKey, string value: String) {
        buffer.add(buffer.claim(field: key), redactor.redact(value))
    }

    mutating func visit(_ key: FieldKey, bool value: Bool) {
        buffer.add(buffer.claim(field: key), value ? "true" : "false")
    }
}
