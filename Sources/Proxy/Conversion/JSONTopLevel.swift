import LogPipeline

/// Byte-level helpers for the Anthropic passthrough, where the request body must go upstream
/// byte-for-byte unchanged except for the model name.
///
/// The body is scanned once with the strict JSON grammar (so malformed bodies are rejected before anything
/// is sent upstream), but only the top-level object's keys are decoded and no value is materialised except
/// `model` and `stream`. Keys are compared after unescaping, so `"mod\u0065l"` is the model key too, while
/// `"model"` inside nested objects or inside string values is never touched.
///
/// Duplicate top-level keys: reading returns the LAST occurrence (what most JSON parsers use) and
/// `replacingModel` rewrites EVERY top-level `model` member, so no upstream parser can see the client's
/// original model name whichever occurrence it picks.
package enum JSONTopLevel {
    /// What `scan` learns about a body.
    package struct Summary: Sendable, Equatable {
        /// The last top-level `model` value, if it is a string.
        package var model: String?
        /// The last top-level `stream` value (`false` when absent or null).
        package var stream: Bool

        package init(model: String?, stream: Bool) {
            self.model = model
            self.stream = stream
        }
    }

    /// One top-level member: its decoded key and the byte range of its value.
    package struct Member: Sendable, Equatable {
        package var key: String
        package var valueRange: Range<Int>
    }

    /// The members of the top-level object, in order. Throws when the body is not one valid JSON object.
    package static func members(of body: some Collection<UInt8>) throws(JSONParseError) -> [Member] {
        try JSONBorrowedBytes.read(body) { p, count throws(JSONParseError) in
            do throws(JSONScan.Failure) {
                return try scanMembers(p, count)
            } catch {
                throw JSONParseError(error, in: p)
            }
        }
    }

    /// Reads top-level `model` and `stream` without building the document.
    /// Errors: invalid JSON or a non-object body (`JSONParseError`), `model` present but not a string or
    /// `stream` present but neither a boolean nor null (`ConversionError.invalidRequest`).
    package static func scan(_ body: [UInt8]) throws -> Summary {
        let members = try members(of: body)
        var summary = Summary(model: nil, stream: false)
        for member in members {
            switch member.key {
            case "model":
                let value = try JSONValue.parse(body[member.valueRange])
                guard let model = value.string else {
                    throw ConversionError.invalidRequest("model: expected a string, got \(value.kindName)")
                }
                summary.model = model
            case "stream":
                let value = try JSONValue.parse(body[member.valueRange])
                switch value {
                case let .bool(flag): summary.stream = flag
                case .null: summary.stream = false
                default: throw ConversionError.invalidRequest("stream: expected a boolean, got \(value.kindName)")
                }
            default:
                continue
            }
        }
        return summary
    }

    /// Returns `body` with the value of every top-level `model` member replaced by the JSON string
    /// `newModel`; every other byte (whitespace, key order, unknown fields, `cache_control`, `thinking` …)
    /// is copied unchanged.
    /// Errors: invalid JSON or a non-object body (`JSONParseError`); no top-level `model`, or one that is not
    /// a string (`ConversionError.invalidRequest`).
    package static func replacingModel(in body: [UInt8], with newModel: String) throws -> [UInt8] {
        let targets = try members(of: body).filter { $0.key == "model" }
        guard !targets.isEmpty else { throw ConversionError.invalidRequest("model: field required") }
        for target in targets where body[target.valueRange.lowerBound] != UInt8(ascii: "\"") {
            let value = try JSONValue.parse(body[target.valueRange])
            throw ConversionError.invalidRequest("model: expected a string, got \(value.kindName)")
        }
        var replacement: [UInt8] = []
        JSONValue.writeString(newModel, into: &replacement)
        var out: [UInt8] = []
        out.reserveCapacity(body.count + replacement.count)
        var copied = 0
        for target in targets {
            out.append(contentsOf: body[copied..<target.valueRange.lowerBound])
            out.append(contentsOf: replacement)
            copied = target.valueRange.upperBound
        }
        out.append(contentsOf: body[copied...])
        return out
    }

    private static func scanMembers(_ p: UnsafePointer<UInt8>, _ end: Int) throws(JSONScan.Failure) -> [Member] {
        var i = 0
        JSONScan.skipSpace(p, &i, end)
        guard i < end, p[i] == UInt8(ascii: "{") else {
            throw .malformed(i, i < end ? "expected a JSON object" : "empty body")
        }
        var members: [Member] = []
        let depth = JSONValue.maximumNestingDepth
        i = try JSONScan.object(p, at: i, end, depth: 1, maxDepth: depth) { key, escaped, value throws(JSONScan.Failure) in
            let valueEnd = try JSONScan.skipValue(p, at: value, end, depth: 1, maxDepth: depth)
            members.append(Member(key: JSONValueReader.decode(p, key, escaped: escaped), valueRange: value..<valueEnd))
            return valueEnd
        }
        JSONScan.skipSpace(p, &i, end)
        guard i == end else { throw .malformed(i, "unexpected data after the JSON value") }
        return members
    }
}
