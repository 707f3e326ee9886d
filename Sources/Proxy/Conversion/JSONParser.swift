package import LogPipeline

/// Why a byte sequence is not acceptable JSON: the byte offset where the problem was found and a reason.
package struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    package var offset: Int
    package var reason: String

    package var description: String { "invalid JSON at byte \(offset): \(reason)" }

    /// The scanner's failure in the proxy's words (`p` is the buffer it scanned).
    package init(_ failure: JSONScan.Failure, in p: UnsafePointer<UInt8>) {
        switch failure {
        case .malformed(let offset, let reason):
            self.init(offset: offset, reason: reason)
        case .invalidUTF8(let offset):
            self.init(offset: offset, reason: "invalid UTF-8 in string")
        case .controlByte(let offset):
            self.init(offset: offset, reason: "unescaped control character \(JSONScan.describe(p[offset])) in string")
        case .tooDeep(let offset):
            self.init(offset: offset, reason: "nesting deeper than \(JSONValue.maximumNestingDepth) levels")
        }
    }

    package init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }
}

extension JSONValue {
    /// Arrays and objects nested deeper than this are rejected (an error, never a stack overflow).
    static let maximumNestingDepth = 512

    /// Parses one complete JSON text (RFC 8259) from UTF-8 bytes, with LogPipeline's `JSONScan`.
    ///
    /// Strict: no trailing commas, comments, NaN, leading zeros or trailing garbage; raw control characters
    /// in strings and invalid UTF-8 are errors. A `\u` escape of an unpaired UTF-16 surrogate (which JSON
    /// allows but a Swift `String` cannot hold) becomes U+FFFD.
    package static func parse(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> JSONValue {
        try JSONBorrowedBytes.read(bytes) { p, count throws(JSONParseError) in
            var reader = JSONValueReader(p, count)
            return try reader.document()
        }
    }

    /// Parses one complete JSON text from a string.
    package static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8))
    }
}

/// Lends any byte collection to the scanner as one contiguous buffer (copying only when it is not).
enum JSONBorrowedBytes {
    static func read<R>(
        _ bytes: some Collection<UInt8>, _ body: (UnsafePointer<UInt8>, Int) throws(JSONParseError) -> R
    ) throws(JSONParseError) -> R {
        let result: Result<R, JSONParseError>
        if let fast = bytes.withContiguousStorageIfAvailable({ lend($0, body) }) {
            result = fast
        } else {
            result = Array(bytes).withUnsafeBufferPointer { lend($0, body) }
        }
        return try result.get()
    }

    private static func lend<R>(
        _ buffer: UnsafeBufferPointer<UInt8>, _ body: (UnsafePointer<UInt8>, Int) throws(JSONParseError) -> R
    ) -> Result<R, JSONParseError> {
        // An empty buffer may have no address; one zero byte stands in (never read: count is 0).
        var empty: UInt8 = 0
        return withUnsafePointer(to: &empty) { placeholder in
            do throws(JSONParseError) {
                return .success(try body(buffer.baseAddress ?? placeholder, buffer.count))
            } catch {
                return .failure(error)
            }
        }
    }
}

/// Builds a `JSONValue` from the tokens `JSONScan` validates; works on a borrowed buffer.
struct JSONValueReader {
    let p: UnsafePointer<UInt8>
    let end: Int
    var position = 0

    init(_ p: UnsafePointer<UInt8>, _ count: Int) {
        self.p = p
        end = count
    }

    mutating func document() throws(JSONParseError) -> JSONValue {
        do throws(JSONScan.Failure) {
            JSONScan.skipSpace(p, &position, end)
            let value = try self.value(depth: 0)
            JSONScan.skipSpace(p, &position, end)
            guard position == end else { throw .malformed(position, "unexpected data after the JSON value") }
            return value
        } catch {
            throw JSONParseError(error, in: p)
        }
    }

    /// The value at `position`, inside `depth` containers; moves past it.
    private mutating func value(depth: Int) throws(JSONScan.Failure) -> JSONValue {
        guard position < end else { throw .malformed(position, "unexpected end of input, expected a value") }
        let start = position
        switch p[start] {
        case UInt8(ascii: "{"):
            var members: [(key: String, value: JSONValue)] = []
            position = try JSONScan.object(p, at: start, end, depth: depth + 1, maxDepth: JSONValue.maximumNestingDepth) {
                key, escaped, valueStart throws(JSONScan.Failure) in
                let name = Self.decode(p, key, escaped: escaped)
                position = valueStart
                let value = try self.value(depth: depth + 1)
                members.append((key: name, value: value))
                return position
            }
            return .object(members)
        case UInt8(ascii: "["):
            var items: [JSONValue] = []
            position = try JSONScan.array(p, at: start, end, depth: depth + 1, maxDepth: JSONValue.maximumNestingDepth) {
                element throws(JSONScan.Failure) in
                position = element
                let item = try self.value(depth: depth + 1)
                items.append(item)
                return position
            }
            return .array(items)
        case UInt8(ascii: "\""):
            var escaped = false
            let close = try JSONScan.string(p, from: start + 1, end, escaped: &escaped)
            position = close + 1
            return .string(Self.decode(p, start + 1..<close, escaped: escaped))
        case UInt8(ascii: "t"):
            position = try JSONScan.literal(p, at: start, end, "true")
            return .bool(true)
        case UInt8(ascii: "f"):
            position = try JSONScan.literal(p, at: start, end, "false")
            return .bool(false)
        case UInt8(ascii: "n"):
            position = try JSONScan.literal(p, at: start, end, "null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            position = try JSONScan.number(p, at: start, end).end
            return .number(String(decoding: UnsafeBufferPointer(start: p + start, count: position - start), as: UTF8.self))
        default:
            throw JSONScan.unexpected(p, at: start)
        }
    }

    /// The text of a validated string body (lone surrogate escapes become U+FFFD).
    static func decode(_ p: UnsafePointer<UInt8>, _ body: Range<Int>, escaped: Bool) -> String {
        guard escaped else {
            return String(decoding: UnsafeBufferPointer(start: p + body.lowerBound, count: body.count), as: UTF8.self)
        }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(body.count)
        _ = JSONUnescape.append(p, body.lowerBound, body.upperBound, to: &decoded, replacingLoneSurrogates: true)
        return String(decoding: decoded, as: UTF8.self)
    }
}
