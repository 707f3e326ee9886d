/// Writes Server-Sent Events the way Anthropic does: `event: NAME\ndata: <compact json>\n\n`.
package enum SSEEncoder {
    /// One event. The compact serializer never emits a raw newline, so the payload is a single `data:` line.
    package static func event(_ name: String, _ data: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        append(name, data, to: &out)
        return out
    }

    package static func append(_ name: String, _ data: JSONValue, to out: inout [UInt8]) {
        out.append(contentsOf: "event: ".utf8)
        out.append(contentsOf: name.utf8)
        out.append(contentsOf: "\ndata: ".utf8)
        data.write(into: &out)
        out.append(contentsOf: "\n\n".utf8)
    }

    /// All events, concatenated.
    package static func encode(_ events: [AnthropicStreamEvent]) -> [UInt8] {
        var out: [UInt8] = []
        for event in events {
            append(event.name, event.data, to: &out)
        }
        return out
    }

    /// A comment (`: text\n\n`), e.g. a keep-alive. Each line of a multi-line text becomes its own comment
    /// line, so the text can never end the comment early or inject fields.
    package static func comment(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        out.append(contentsOf: ": ".utf8)
        var previousWasCR = false
        for byte in text.utf8 {
            if byte == 0x0A && previousWasCR {
                previousWasCR = false
                continue
            }
            previousWasCR = byte == 0x0D
            if byte == 0x0A || byte == 0x0D {
                out.append(contentsOf: "\n: ".utf8)
            } else {
                out.append(byte)
            }
        }
        out.append(contentsOf: "\n\n".utf8)
        return out
    }
}
