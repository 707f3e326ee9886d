import Logging

/// Renders a `LogRecord` as one ECS JSON line (see docs/log-schema.md).
///
/// Key order: `@timestamp`, `log.level`, `message`, `ecs.version` (the ecs-logging rule), then
/// `log.logger`, `service.name`, `service.instance.id`, `event.sequence`, `http.request.id`,
/// `vdm.schema`, the payload's fields in its own order, `labels` for other metadata, `error.*`.
/// Every string value passes through the redactor on its way out.
public struct ECSJSONEncoder: Sendable {
    public var redactor: Redactor
    /// Opt-in `log.origin.*` (the ECS spec says origin fields should be opt-in).
    public var includeOrigin: Bool

    public init(redactor: Redactor = Redactor(), includeOrigin: Bool = false) {
        self.redactor = redactor
        self.includeOrigin = includeOrigin
    }

    public func encode(_ record: LogRecord, into out: inout [UInt8]) {
        out.append(contentsOf: #"{"@timestamp":""#.utf8)
        WallClock.appendISO8601(micros: record.timestampMicros, to: &out)
        out.append(contentsOf: #"","log.level":""#.utf8)
        out.append(contentsOf: record.level.ecsName.utf8)
        out.append(contentsOf: #"","message":"#.utf8)
        appendValue(record.message, &out)
        out.append(contentsOf: #","ecs.version":""#.utf8)
        out.append(contentsOf: Schema.ecsVersion.utf8)
        out.append(contentsOf: #"","log.logger":"#.utf8)
        appendValue(record.logger, &out)
        out.append(contentsOf: #","service.name":""#.utf8)
        out.append(contentsOf: Schema.serviceName.utf8)
        out.append(contentsOf: #"","service.instance.id":"#.utf8)
        JSONBytes.appendString(record.instanceID, to: &out)
        out.append(contentsOf: #","event.sequence":"#.utf8)
        JSONBytes.appendInt(Int64(truncatingIfNeeded: record.sequence), to: &out)
        if let id = record.correlationID {
            out.append(contentsOf: #","http.request.id":"#.utf8)
            appendValue(id, &out)
        }
        out.append(contentsOf: #","vdm.schema":"#.utf8)
        JSONBytes.appendInt(Int64(Schema.version), to: &out)
        if let original = record.originalLevel {
            out.append(contentsOf: #","log.original_level":""#.utf8)
            out.append(contentsOf: original.ecsName.utf8)
            out.append(UInt8(ascii: "\""))
        }
        if let payload = record.payload {
            out.append(contentsOf: #","event.action":"#.utf8)
            JSONBytes.appendString(payload.action, to: &out)
            var visitor = JSONFieldWriter(out: out, redactor: redactor)
            out = []
            payload.visitFields(&visitor)
            out = visitor.out
        }
        if !record.metadata.isEmpty {
            out.append(contentsOf: #","labels":{"#.utf8)
            var first = true
            for key in record.metadata.keys.sorted() {
                guard let value = record.metadata[key] else { continue }
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                JSONBytes.appendKey(Self.labelKey(key), to: &out)
                appendValue(Self.flatten(value), &out)
            }
            out.append(UInt8(ascii: "}"))
        }
        if let error = record.error {
            out.append(contentsOf: #","error.type":"#.utf8)
            appendValue(String(reflecting: type(of: error)), &out)
            out.append(contentsOf: #","error.message":"#.utf8)
            appendValue(String(describing: error), &out)
        }
        if includeOrigin {
            out.append(contentsOf: #","log.origin.file.name":"#.utf8)
            JSONBytes.appendString(record.file, to: &out)
            out.append(contentsOf: #","log.origin.file.line":"#.utf8)
            JSONBytes.appendInt(Int64(record.line), to: &out)
            out.append(contentsOf: #","log.origin.function":"#.utf8)
            JSONBytes.appendString(record.function, to: &out)
        }
        out.append(contentsOf: "}\n".utf8)
    }

    public func encode(_ record: LogRecord) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        encode(record, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @inline(__always)
    private func appendValue(_ text: String, _ out: inout [UInt8]) {
        JSONBytes.appendString(redactor.redact(text), to: &out)
    }

    /// ECS `labels` keys may not contain `.`, `*` or `\`.
    static func labelKey(_ key: String) -> String {
        guard key.utf8.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: "\\") })
        else { return key }
        return String(key.map { $0 == "." || $0 == "*" || $0 == "\\" ? "_" : $0 })
    }

    /// Labels are keyword strings in ECS; nested metadata is flattened to its text form.
    static func flatten(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let s): s
        case .stringConvertible(let c): c.description
        case .array, .dictionary: value.description
        }
    }
}

/// Writes payload fields as `,"key":value` pairs.
struct JSONFieldWriter: LogFieldVisitor {
    var out: [UInt8]
    let redactor: Redactor

    mutating func visit(_ key: String, int value: Int64) {
        out.append(UInt8(ascii: ","))
        JSONBytes.appendKey(key, to: &out)
        JSONBytes.appendInt(value, to: &out)
    }

    mutating func visit(_ key: String, string value: String) {
        out.append(UInt8(ascii: ","))
        JSONBytes.appendKey(key, to: &out)
        JSONBytes.appendString(redactor.redact(value), to: &out)
    }

    mutating func visit(_ key: String, bool value: Bool) {
        out.append(UInt8(ascii: ","))
        JSONBytes.appendKey(key, to: &out)
        out.append(contentsOf: (value ? "true" : "false").utf8)
    }
}
