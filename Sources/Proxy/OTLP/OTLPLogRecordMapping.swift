import Logging
import LogPipeline

/// A `LogRecord` as an OTLP log record: severity from the level, body = the message, and every other
/// field of its ECS JSON line as an attribute under the same name (`labels` flattened to
/// `labels.KEY`). The line is made by the JSON sink's own encoder with the same redactor and read back
/// with the one JSON reader, so the two outputs carry the same fields, redacted the same way, and no
/// second field list exists. Values are strings (swift-log metadata has no numbers: `"42"`);
/// `trace.id` / `span.id`, when a record has them, are attributes like the rest.
struct OTLPLogRecordMapping: Sendable {
    let encoder: ECSJSONEncoder

    func event(for record: LogRecord) -> LogEvent {
        var line: [UInt8] = []
        encoder.encode(record, into: &line)
        var body = ""
        var metadata: Logger.Metadata = [:]
        if case .object(let members)? = try? JSONValue.parse(line) {
            for (key, value) in members {
                if key == "message" {
                    body = value.string ?? ""
                } else {
                    Self.add(key, value, to: &metadata)
                }
            }
        } else {
            // The encoder always writes one JSON object; if that ever breaks, say so, and keep the text redacted.
            body = encoder.redactor.redact(record.message)
            metadata["vdm.otlp.mapping_error"] = "the ECS line did not read back as one JSON object"
        }
        return LogEvent(level: record.level, message: "\(body)", metadata: metadata, source: record.logger,
                        file: record.file, function: record.function, line: record.line)
    }

    private static func add(_ key: String, _ value: JSONValue, to metadata: inout Logger.Metadata) {
        if case .object(let members) = value {
            for (inner, innerValue) in members { add(key + "." + inner, innerValue, to: &metadata) }
        } else {
            metadata[key] = metadataValue(value)
        }
    }

    private static func metadataValue(_ value: JSONValue) -> Logger.Metadata.Value {
        switch value {
        case .null: .string("null")
        case .bool(let b): .string(b ? "true" : "false")
        case .number(let text): .string(text)
        case .string(let s): .string(s)
        case .array(let items): .array(items.map(metadataValue))
        case .object(let members): .dictionary(Dictionary(members.map { ($0.key, metadataValue($0.value)) }, uniquingKeysWith: { $1 }))
        }
    }
}
