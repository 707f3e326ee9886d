import LogPipeline

extension JSONValue {
    /// Compact UTF-8 JSON (no insignificant whitespace). Numbers are written as their stored literal text,
    /// object members in stored order. In strings, `"`, `\`, control characters U+0000–U+001F and DEL
    /// are escaped (`\n`, `\r`, `\t`, otherwise `\u00XX`); everything else, non-ASCII included, is
    /// written as is.
    package func serialized() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        write(into: &out)
        return out
    }

    /// The compact serialization as a `String`.
    package var compactText: String {
        String(decoding: serialized(), as: UTF8.self)
    }

    /// Appends the compact serialization to `out`.
    package func write(into out: inout [UInt8]) {
        switch self {
        case .null:
            out.append(contentsOf: "null".utf8)
        case let .bool(value):
            out.append(contentsOf: value ? "true".utf8 : "false".utf8)
        case let .number(text):
            out.append(contentsOf: text.utf8)
        case let .string(text):
            Self.writeString(text, into: &out)
        case let .array(items):
            out.append(UInt8(ascii: "["))
            for (offset, item) in items.enumerated() {
                if offset > 0 { out.append(UInt8(ascii: ",")) }
                item.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case let .object(members):
            out.append(UInt8(ascii: "{"))
            for (offset, member) in members.enumerated() {
                if offset > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeString(member.key, into: &out)
                out.append(UInt8(ascii: ":"))
                member.value.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Appends `text` as a quoted, escaped JSON string (the log encoder's escaper, `JSONBytes`).
    static func writeString(_ text: String, into out: inout [UInt8]) {
        JSONBytes.appendString(text, to: &out)
    }
}
