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
        withLineBuffer { line in
            encode(record, to: &line)
            out.append(contentsOf: line.bytes)
        }
    }

    func encode(_ record: LogRecord, to out: inout LineBuffer) {
        out.append(literal: #"{"@timestamp":""#)
        WallClock.appendISO8601(micros: record.timestampMicros, to: &out)
        out.append(literal: #"","log.level":""#)
        out.append(utf8: record.level.ecsName)
        out.append(literal: #"","message":"#)
        appendValue(record.message, &out)
        out.append(literal: #","ecs.version":""#)
        out.append(utf8: Schema.ecsVersion)
        out.append(literal: #"","log.logger":"#)
        appendValue(record.logger, &out)
        out.append(literal: #","service.name":""#)
        out.append(utf8: Schema.serviceName)
        out.append(literal: #"","service.instance.id":"#)
        JSONBytes.appendString(record.instanceID, to: &out)
        out.append(literal: #","event.sequence":"#)
        out.appendDecimal(Int64(truncatingIfNeeded: record.sequence))
        if let id = record.correlationID {
            out.append(literal: #","http.request.id":"#)
            appendValue(id, &out)
        }
        out.append(literal: #","vdm.schema":"#)
        JSONBytes.appendInt(Int64(Schema.version), to: &out)
        if let original = record.originalLevel {
            out.append(literal: #","log.original_level":""#)
            out.append(utf8: original.ecsName)
            out.append(UInt8(ascii: "\""))
        }
        if let payload = record.payload {
            out.append(literal: #","event.action":"#)
            JSONBytes.appendString(payload.action, to: &out)
            withUnsafeMutablePointer(to: &out) { pointer in
                var visitor = JSONFieldWriter(out: pointer, redactor: redactor)
                payload.visitFields(&visitor)
            }
        }
        if !record.metadata.isEmpty {
            out.append(literal: #","labels":{"#)
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
            out.append(literal: #","error.type":"#)
            appendValue(String(reflecting: type(of: error)), &out)
            out.append(literal: #","error.message":"#)
            appendValue(String(describing: error), &out)
        }
        if includeOrigin {
            out.append(literal: #","log.origin.file.name":"#)
            JSONBytes.appendString(record.file, to: &out)
            out.append(literal: #","log.origin.file.line":"#)
            JSONBytes.appendInt(Int64(record.line), to: &out)
            out.append(literal: #","log.origin.function":"#)
            JSONBytes.appendString(record.function, to: &out)
        }
        out.append(literal: "}\n")
    }

    public func encode(_ record: LogRecord) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        encode(record, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @inline(__always)
    private func appendValue(_ text: String, _ out: inout LineBuffer) {
        redactor.withRedactedUTF8(text) { JSONBytes.appendString(utf8: $0, to: &out) }
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

/// Writes payload fields as `,"key":value` pairs into the encoder's output, which outlives it (the
/// pointer is only used inside `encode`'s `withUnsafeMutablePointer` scope). Concrete, not generic:
/// payloads call it through an existential, where a generic writer would stay unspecialized.
struct JSONFieldWriter: LogFieldVisitor {
    let out: UnsafeMutablePointer<LineBuffer>
    let redactor: Redactor

    mutating func visit(_ key: String, int value: Int64) {
        out.pointee.append(UInt8(ascii: ","))
        appendKey(key)
        out.pointee.appendDecimal(value)
    }

    mutating func visit(_ key: String, string value: String) {
        out.pointee.append(UInt8(ascii: ","))
        appendKey(key)
        redactor.withRedactedUTF8(value) { JSONBytes.appendString(utf8: $0, to: &out.pointee) }
    }

    mutating func visit(_ key: String, bool value: Bool) {
        out.pointee.append(UInt8(ascii: ","))
        appendKey(key)
        out.pointee.append(literal: value ? "true" : "false")
    }

    /// Payload keys are our own constants (`FieldName`, plain `[a-z0-9._@]`, checked by
    /// `ECSJSONEncoderTests.payloadKeysNeedNoEscaping`), so they are copied without the escape scan.
    @inline(__always)
    private func appendKey(_ key: String) {
        out.pointee.append(UInt8(ascii: "\""))
        out.pointee.append(utf8: key)
        out.pointee.append(literal: "\":")
    }
}
