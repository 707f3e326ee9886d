/// Why a byte sequence is not acceptable JSON: the byte offset where the problem was found and a reason.
struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    var offset: Int
    var reason: String

    var description: String { "invalid JSON at byte \(offset): \(reason)" }
}

extension JSONValue {
    /// Arrays and objects nested deeper than this are rejected (an error, never a stack overflow).
    static let maximumNestingDepth = 512

    /// Parses one complete JSON text (RFC 8259) from UTF-8 bytes.
    ///
    /// Strict: no trailing commas, comments, NaN, leading zeros or trailing garbage; raw control characters
    /// in strings and invalid UTF-8 are errors. A `\u` escape of an unpaired UTF-16 surrogate (which JSON
    /// allows but a Swift `String` cannot hold) becomes U+FFFD.
    static func parse(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> JSONValue {
        let result: Result<JSONValue, JSONParseError>
        if let fast = bytes.withContiguousStorageIfAvailable({ JSONValue.parseResult($0) }) {
            result = fast
        } else {
            result = Array(bytes).withUnsafeBufferPointer { JSONValue.parseResult($0) }
        }
        return try result.get()
    }

    /// Parses one complete JSON text from a string.
    static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    private static func parseResult(_ buffer: UnsafeBufferPointer<UInt8>) -> Result<JSONValue, JSONParseError> {
        var scanner = JSONByteScanner(buffer)
        do throws(JSONParseError) {
            let value = try scanner.parseDocument()
            return .success(value)
        } catch {
            return .failure(error)
        }
    }
}

/// The byte-level JSON reader shared by the value parser and the top-level helpers (`JSONTopLevel`).
/// Works on a borrowed buffer; never outlives the closure that lends it.
struct JSONByteScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var position: Int = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    var atEnd: Bool { position >= bytes.count }

    func failure(_ reason: String, at offset: Int? = nil) -> JSONParseError {
        JSONParseError(offset: offset ?? position, reason: reason)
    }

    // MARK: Documents

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        let value = try parseValue(depth: 0)
        try expectEnd()
        return value
    }

    mutating func expectEnd() throws(JSONParseError) {
        skipWhitespace()
        if !atEnd { throw failure("unexpected data after the JSON value") }
    }

    mutating func skipWhitespace() {
        var index = position
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { break }
            index += 1
        }
        position = index
    }

    // MARK: Values

    mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard position < bytes.count else { throw failure("unexpected end of input, expected a value") }
        switch bytes[position] {
        case UInt8(ascii: "{"):
            return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["):
            return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""):
            return .string(try scanString(build: true))
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let range = try scanNumber()
            return .number(String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self))
        default:
            throw failure("unexpected character \(Self.describe(bytes[position])), expected a value")
        }
    }

    private mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= JSONValue.maximumNestingDepth else {
            throw failure("nesting deeper than \(JSONValue.maximumNestingDepth) levels")
        }
        position += 1 // {
        var members: [(key: String, value: JSONValue)] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                throw failure(atEnd ? "unexpected end of input in object" : "expected a string key in object")
            }
            let key = try scanString(build: true)
            skipWhitespace()
            try expect(UInt8(ascii: ":"), "expected ':' after object key")
            skipWhitespace()
            let value = try parseValue(depth: depth)
            members.append((key: key, value: value))
            skipWhitespace()
            guard position < bytes.count else { throw failure("unexpected end of input in object") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
            } else if bytes[position] == UInt8(ascii: "}") {
                position += 1
                return .object(members)
            } else {
                throw failure("expected ',' or '}' in object")
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= JSONValue.maximumNestingDepth else {
            throw failure("nesting deeper than \(JSONValue.maximumNestingDepth) levels")
        }
        position += 1 // [
        var items: [JSONValue] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            items.append(try parseValue(depth: depth))
            skipWhitespace()
            guard position < bytes.count else { throw failure("unexpected end of input in array") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
            } else if bytes[position] == UInt8(ascii: "]") {
                position += 1
                return .array(items)
            } else {
                throw failure("expected ',' or ']' in array")
            }
        }
    }

    // MARK: Skipping (validates without building values)

    /// Validates one value and moves past it without materialising it. Same grammar, depth cap and
    /// string checks as `parseValue`.
    mutating func skipValue(depth: Int) throws(JSONParseError) {
        guard position < bytes.count else { throw failure("unexpected end of input, expected a value") }
        switch bytes[position] {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let isObject = bytes[position] == UInt8(ascii: "{")
            let close = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
            let inner = depth + 1
            guard inner <= JSONValue.maximumNestingDepth else {
                throw failure("nesting deeper than \(JSONValue.maximumNestingDepth) levels")
            }
            position += 1
            skipWhitespace()
            if position < bytes.count, bytes[position] == close {
                position += 1
                return
            }
            while true {
                skipWhitespace()
                if isObject {
                    guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                        throw failure(atEnd ? "unexpected end of input in object" : "expected a string key in object")
                    }
                    _ = try scanString(build: false)
                    skipWhitespace()
                    try expect(UInt8(ascii: ":"), "expected ':' after object key")
                    skipWhitespace()
                }
                try skipValue(depth: inner)
                skipWhitespace()
                guard position < bytes.count else {
                    throw failure(isObject ? "unexpected end of input in object" : "unexpected end of input in array")
                }
                if bytes[position] == UInt8(ascii: ",") {
                    position += 1
                } else if bytes[position] == close {
                    position += 1
                    return
                } else {
                    throw failure(isObject ? "expected ',' or '}' in object" : "expected ',' or ']' in array")
                }
            }
        default:
            _ = try parseValue(depth: depth)
        }
    }

    // MARK: Tokens

    mutating func expect(_ byte: UInt8, _ reason: String) throws(JSONParseError) {
        guard position < bytes.count, bytes[position] == byte else { throw failure(reason) }
        position += 1
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let start = position
        let count = literal.utf8CodeUnitCount
        guard bytes.count - position >= count else { throw failure("invalid literal", at: start) }
        let expected = UnsafeBufferPointer(start: literal.utf8Start, count: count)
        for offset in 0..<count where bytes[position + offset] != expected[offset] {
            throw failure("invalid literal", at: start)
        }
        position += count
    }

    /// Scans a number per RFC 8259 and returns its byte range.
    mutating func scanNumber() throws(JSONParseError) -> Range<Int> {
        let start = position
        if position < bytes.count, bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard position < bytes.count, Self.isDigit(bytes[position]) else {
            throw failure("invalid number: expected a digit", at: position)
        }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            if position < bytes.count, Self.isDigit(bytes[position]) {
                throw failure("invalid number: leading zero", at: start)
            }
        } else {
            while position < bytes.count, Self.isDigit(bytes[position]) { position += 1 }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard position < bytes.count, Self.isDigit(bytes[position]) else {
                throw failure("invalid number: expected a digit after '.'", at: position)
            }
            while position < bytes.count, Self.isDigit(bytes[position]) { position += 1 }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard position < bytes.count, Self.isDigit(bytes[position]) else {
                throw failure("invalid number: expected a digit in exponent", at: position)
            }
            while position < bytes.count, Self.isDigit(bytes[position]) { position += 1 }
        }
        return start..<position
    }

    /// Scans a string starting at its opening quote, validating escapes and UTF-8. Returns the decoded
    /// text when `build` is true, "" otherwise.
    mutating func scanString(build: Bool) throws(JSONParseError) -> String {
        let start = position
        position += 1 // opening quote
        var segmentStart = position
        var decoded: [UInt8] = []
        var hasEscapes = false
        let count = bytes.count
        while true {
            // Fast path: run over plain ASCII (no quote, backslash or control character).
            var index = position
            while index < count {
                let byte = bytes[index]
                guard byte >= 0x20, byte < 0x80, byte != 0x22, byte != 0x5C else { break }
                index += 1
            }
            position = index
            guard position < count else { throw failure("unterminated string", at: start) }
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let tail = UnsafeBufferPointer(rebasing: bytes[segmentStart..<position])
                position += 1
                guard build else { return "" }
                if !hasEscapes { return String(decoding: tail, as: UTF8.self) }
                decoded.append(contentsOf: tail)
                return String(decoding: decoded, as: UTF8.self)
            } else if byte == UInt8(ascii: "\\") {
                if build {
                    if !hasEscapes { decoded.reserveCapacity(position - segmentStart + 16) }
                    decoded.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[segmentStart..<position]))
                }
                hasEscapes = true
                try scanEscape(into: &decoded, build: build)
                segmentStart = position
            } else if byte < 0x20 {
                throw failure("unescaped control character \(Self.describe(byte)) in string")
            } else if byte < 0x80 {
                position += 1
            } else {
                let length = Self.validUTF8SequenceLength(bytes, at: position)
                guard length > 0 else { throw failure("invalid UTF-8 in string") }
                position += length
            }
        }
    }

    private mutating func scanEscape(into decoded: inout [UInt8], build: Bool) throws(JSONParseError) {
        let escapeStart = position
        position += 1 // backslash
        guard position < bytes.count else { throw failure("unterminated string", at: escapeStart) }
        let code = bytes[position]
        position += 1
        let simple: UInt8
        switch code {
        case UInt8(ascii: "\""): simple = 0x22
        case UInt8(ascii: "\\"): simple = 0x5C
        case UInt8(ascii: "/"): simple = 0x2F
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "u"):
            let unit = try scanHex4(escapeStart: escapeStart)
            var scalarValue: UInt32
            if (0xD800...0xDBFF).contains(unit) {
                // A high surrogate: combine with a following \uDC00-\uDFFF, otherwise it is unpaired.
                if bytes.count - position >= 6, bytes[position] == UInt8(ascii: "\\"),
                   bytes[position + 1] == UInt8(ascii: "u") {
                    let save = position
                    position += 2
                    let low = try scanHex4(escapeStart: save)
                    if (0xDC00...0xDFFF).contains(low) {
                        scalarValue = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                    } else {
                        position = save // re-read the second escape on its own
                        scalarValue = 0xFFFD
                    }
                } else {
                    scalarValue = 0xFFFD
                }
            } else if (0xDC00...0xDFFF).contains(unit) {
                scalarValue = 0xFFFD
            } else {
                scalarValue = UInt32(unit)
            }
            if build { Self.appendUTF8(scalarValue, to: &decoded) }
            return
        default:
            throw failure("invalid escape sequence", at: escapeStart)
        }
        if build { decoded.append(simple) }
    }

    private mutating func scanHex4(escapeStart: Int) throws(JSONParseError) -> UInt16 {
        guard bytes.count - position >= 4 else { throw failure("invalid \\u escape", at: escapeStart) }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw failure("invalid \\u escape", at: escapeStart)
            }
            value = value << 4 | UInt16(digit)
            position += 1
        }
        return value
    }

    // MARK: Helpers

    /// Appends the UTF-8 encoding of a Unicode scalar value (never a surrogate here).
    static func appendUTF8(_ value: UInt32, to out: inout [UInt8]) {
        switch value {
        case 0..<0x80:
            out.append(UInt8(value))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | (value >> 6)))
            out.append(UInt8(0x80 | (value & 0x3F)))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | (value >> 12)))
            out.append(UInt8(0x80 | ((value >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (value & 0x3F)))
        default:
            out.append(UInt8(0xF0 | ((value >> 18) & 0x07)))
            out.append(UInt8(0x80 | ((value >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((value >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (value & 0x3F)))
        }
    }

    static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    static func describe(_ byte: UInt8) -> String {
        if byte >= 0x20 && byte < 0x7F {
            return "'\(Character(Unicode.Scalar(byte)))'"
        }
        let hex = String(byte, radix: 16, uppercase: true)
        return "0x" + (hex.count < 2 ? "0" + hex : hex)
    }

    /// Length (2...4) of the well-formed UTF-8 sequence starting at `index` with a non-ASCII lead byte,
    /// or 0 when it is ill-formed (overlong, surrogate, beyond U+10FFFF, truncated, bad continuation).
    static func validUTF8SequenceLength(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Int {
        let lead = bytes[index]
        let length: Int
        var secondLow: UInt8 = 0x80
        var secondHigh: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; secondLow = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; secondHigh = 0x9F
        case 0xF0: length = 4; secondLow = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; secondHigh = 0x8F
        default: return 0
        }
        guard bytes.count - index >= length else { return 0 }
        let second = bytes[index + 1]
        guard second >= secondLow && second <= secondHigh else { return 0 }
        var offset = 2
        while offset < length {
            guard bytes[index + offset] & 0xC0 == 0x80 else { return 0 }
            offset += 1
        }
        return length
    }
}
