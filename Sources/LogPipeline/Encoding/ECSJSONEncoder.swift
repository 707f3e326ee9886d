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
        // The constant runs, the timestamp and the numbers go through cursors (one capacity check
        // and one count update per run); strings through the redactor.
        out.withCursor(reserving: 96) {
            $0.write(#"{"@timestamp":""#)
            WallClock.writeISO8601(micros: record.timestampMicros, to: $0.position)
            $0.position += WallClock.iso8601Length
            $0.write(#"","log.level":""#)
            $0.write(record.level.ecsNameLiteral)
            $0.write(#"","message":"#)
        }
        appendValue(record.message, &out)
        out.withCursor(reserving: Self.afterMessage.utf8CodeUnitCount) { $0.write(Self.afterMessage) }
        appendValue(record.logger, &out)
        out.withCursor(reserving: Self.afterLogger.utf8CodeUnitCount) { $0.write(Self.afterLogger) }
        appendPlain(record.instanceID, &out)
        out.withCursor(reserving: 40) {
            $0.write(#","event.sequence":"#)
            $0.writeDecimal(Int64(truncatingIfNeeded: record.sequence))
        }
        if let id = record.correlationID {
            out.withCursor(reserving: 20) { $0.write(#","http.request.id":"#) }
            appendValue(id, &out)
        }
        out.withCursor(reserving: 64) {
            $0.write(Self.schemaField)
            if let original = record.originalLevel {
                $0.write(#","log.original_level":""#)
                $0.write(original.ecsNameLiteral)
                $0.write(UInt8(ascii: "\""))
            }
        }
        if let payload = record.payload {
            out.append(literal: #","event.action":"#)
            appendPlain(payload.action, &out)
            withUnsafeMutablePointer(to: &out) { pointer in
                var writer = JSONFieldWriter(out: pointer, redactor: redactor)
                payload.writeJSONFields(&writer)
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

    /// The constant runs of the envelope, each copied in one piece; `envelopeConstantsMatchSchema`
    /// checks them against `Schema`.
    static let afterMessage: StaticString = #","ecs.version":"8.11.0","log.logger":"#
    static let afterLogger: StaticString = #","service.name":"vandamme-proxy","service.instance.id":"#
    static let schemaField: StaticString = #","vdm.schema":1"#

    public func encode(_ record: LogRecord) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        encode(record, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @inline(__always)
    private func appendValue(_ text: String, _ out: inout LineBuffer) {
        redactor.appendJSONString(text, to: &out)
    }

    /// Escaped but not redacted: our own values (instance id, event action).
    @inline(__always)
    private func appendPlain(_ text: String, _ out: inout LineBuffer) {
        if text.utf8.withContiguousStorageIfAvailable({ out.appendJSONString(UnsafeRawBufferPointer($0)) }) == nil {
            var text = text
            text.withUTF8 { out.appendJSONString(UnsafeRawBufferPointer($0)) }
        }
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
/// each payload's `writeJSONFields` specializes its `visitFields` for it, calls inlined.
/// Public only because `StructuredPayload.writeJSONFields` names it; nothing outside can make one.
public struct JSONFieldWriter: LogFieldVisitor {
    let out: UnsafeMutablePointer<LineBuffer>
    let redactor: Redactor

    @inline(__always)
    public mutating func visit(_ key: FieldKey, int value: Int64) {
        out.pointee.withCursor(reserving: key.utf8.utf8CodeUnitCount + 4 + 20) {
            $0.writeKey(key)
            $0.writeDecimal(value)
        }
    }

    @inline(__always)
    public mutating func visit(_ key: FieldKey, string value: String) {
        out.pointee.withCursor(reserving: key.utf8.utf8CodeUnitCount + 4) { $0.writeKey(key) }
        redactor.appendJSONString(value, to: &out.pointee)
    }

    @inline(__always)
    public mutating func visit(_ key: FieldKey, bool value: Bool) {
        out.pointee.withCursor(reserving: key.utf8.utf8CodeUnitCount + 4 + 5) {
            $0.writeKey(key)
            $0.write(value ? "true" : "false")
        }
    }
}
