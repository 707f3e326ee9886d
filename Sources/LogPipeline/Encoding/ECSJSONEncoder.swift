import Logging

/// Renders a `LogRecord` as one ECS JSON line (see docs/log-schema.md).
///
/// Key order: `@timestamp`, `log.level`, `message`, `ecs.version` (the ecs-logging rule), then
/// `log.logger`, `service.name`, `service.node.name`, `event.sequence`, `http.request.id`,
/// `trace.id`, `span.id`, `vdm.schema`, `vdm.original_level`, the payload's fields in its own order, `labels` for other metadata, `error.*`.
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

    func encode(_ record: LogRecord, to line: inout LineBuffer) {
        line.withCursor { encode(record, to: &$0) }
    }

    /// `ensure` before each run of unchecked writes (see `ByteCursor`); strings go through the
    /// redactor, which ensures for itself.
    private func encode(_ record: LogRecord, to out: inout ByteCursor) {
        out.ensure(96)
        out.write(#"{"@timestamp":""#)
        out.checkRoom(WallClock.iso8601Length)
        WallClock.writeISO8601(micros: record.timestampMicros, to: out.position)
        out.advance(by: WallClock.iso8601Length)
        out.write(#"","log.level":""#)
        out.write(record.level.ecsNameLiteral)
        out.write(#"","message":"#)
        appendValue(record.message, &out)
        out.ensure(Self.afterMessage.utf8CodeUnitCount)
        out.write(Self.afterMessage)
        appendValue(record.logger, &out)
        out.ensure(Self.afterLogger.utf8CodeUnitCount)
        out.write(Self.afterLogger)
        appendPlain(record.instanceID, &out)
        out.ensure(40)
        out.write(#","event.sequence":"#)
        out.writeDecimal(Int64(truncatingIfNeeded: record.sequence))
        if let id = record.correlationID {
            out.ensure(20)
            out.write(#","http.request.id":"#)
            appendValue(id, &out)
        }
        if let trace = record.trace {
            // Validated lowercase hex (`TraceIDs`): nothing to redact.
            out.ensure(24)
            out.write(#","trace.id":"#)
            appendPlain(trace.traceID, &out)
            out.ensure(24)
            out.write(#","span.id":"#)
            appendPlain(trace.spanID, &out)
        }
        out.ensure(64)
        out.write(Self.schemaField)
        if let original = record.originalLevel {
            out.write(#","vdm.original_level":""#)
            out.write(original.ecsNameLiteral)
            out.write(UInt8(ascii: "\""))
        }
        if let payload = record.payload {
            out.ensure(20)
            out.write(#","event.action":"#)
            appendPlain(payload.action, &out)
            var writer = JSONFieldWriter(out: out, redactor: redactor)
            payload.writeJSONFields(&writer)
            out = writer.out
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
    static let afterMessage: StaticString = #","ecs.version":"9.4.0","log.logger":"#
    static let afterLogger: StaticString = #","service.name":"vandamme-proxy","service.node.name":"#
    static let schemaField: StaticString = #","vdm.schema":2"#

    public func encode(_ record: LogRecord) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        encode(record, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @inline(__always)
    private func appendValue(_ text: String, _ out: inout ByteCursor) {
        redactor.writeJSONString(text, to: &out)
    }

    /// Escaped but not redacted: our own values (instance id, event action).
    @inline(__always)
    private func appendPlain(_ text: String, _ out: inout ByteCursor) {
        if text.utf8.withContiguousStorageIfAvailable({ out.writeJSONString(UnsafeRawBufferPointer($0)) }) == nil {
            var text = text
            text.withUTF8 { out.writeJSONString(UnsafeRawBufferPointer($0)) }
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

/// Writes payload fields as `,"key":value` pairs through the encoder's cursor, which it hands
/// back afterwards. Concrete, not generic: each payload's `writeJSONFields` specializes its
/// `visitFields` for it, calls inlined. Public only because `StructuredPayload.writeJSONFields`
/// names it; nothing outside can make one.
public struct JSONFieldWriter: LogFieldVisitor {
    var out: ByteCursor
    let redactor: Redactor

    @inline(__always)
    public mutating func visit(_ key: FieldKey, int value: Int64) {
        out.ensure(key.utf8.utf8CodeUnitCount + 4 + 20)
        out.writeKey(key)
        out.writeDecimal(value)
    }

    @inline(__always)
    public mutating func visit(_ key: FieldKey, string value: String) {
        out.ensure(key.utf8.utf8CodeUnitCount + 4)
        out.writeKey(key)
        redactor.writeJSONString(value, to: &out)
    }

    @inline(__always)
    public mutating func visit(_ key: FieldKey, bool value: Bool) {
        out.ensure(key.utf8.utf8CodeUnitCount + 4 + 5)
        out.writeKey(key)
        out.write(value ? "true" : "false")
    }
}
