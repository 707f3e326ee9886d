import Testing
import VDMProxy

@Suite("JSONTopLevel passthrough helpers")
struct ConversionTopLevelTests {
    /// A body full of traps: "model" nested, in strings, escaped, odd whitespace, unicode, cache_control,
    /// thinking and unknown fields.
    static let trickyBody = """
    {
      "metadata" : {"model": "nested-should-stay", "user_id":"u-1"},
      "system":[{"type":"text","text":"say \\"model\\": \\"x\\" – ünïcödé 😀","cache_control":{"type":"ephemeral"}}],
      "messages": [ {"role":"user","content":"\\"model\\":\\"claude\\" {\\"model\\":1}"} ],
    \t"model"\t:\t"claude-sonnet-4-5"  ,
      "thinking": {"type":"enabled","budget_tokens": 2048},
      "x_unknown": [1.50, -0, 1e400, {"model":"deep"}],
      "stream" : true,
      "max_tokens":1024
    }

    """

    @Test func replacesOnlyTheTopLevelModelValue() throws {
        let original = Array(Self.trickyBody.utf8)
        let rewritten = try JSONTopLevel.replacingModel(in: original, with: "gpt-upstream/ä")
        let needle = Array("\t\"model\"\t:\t\"claude-sonnet-4-5\"  ,".utf8)
        let replacement = Array("\t\"model\"\t:\t\"gpt-upstream/ä\"  ,".utf8)
        let at = try #require(Self.firstRange(of: needle, in: original))
        let expected = String(decoding: original[..<at.lowerBound] + replacement + original[at.upperBound...], as: UTF8.self)
        #expect(expected != Self.trickyBody)
        #expect(rewritten == Array(expected.utf8))

        // Every byte before and after the value is the original byte.
        let valueStart = try #require(Self.firstRange(of: Array(#""claude-sonnet-4-5""#.utf8), in: original))
        #expect(Array(rewritten[..<valueStart.lowerBound]) == Array(original[..<valueStart.lowerBound]))
        let tailCount = original.count - valueStart.upperBound
        #expect(Array(rewritten.suffix(tailCount)) == Array(original.suffix(tailCount)))

        let parsed = try JSONValue.parse(rewritten)
        #expect(parsed["model"]?.string == "gpt-upstream/ä")
        #expect(parsed["metadata"]?["model"]?.string == "nested-should-stay")
        #expect(parsed["x_unknown"]?[3]?["model"]?.string == "deep")
    }

    @Test func newModelNameIsEscaped() throws {
        let body = Array(#"{"model":"a","k":1}"#.utf8)
        let rewritten = try JSONTopLevel.replacingModel(in: body, with: "we\"ird\\name\n")
        #expect(String(decoding: rewritten, as: UTF8.self) == #"{"model":"we\"ird\\name\n","k":1}"#)
    }

    @Test func escapedKeyIsRecognisedAndDuplicatesAreAllReplaced() throws {
        let body = Array(#"{"mod\u0065l":"one","x":{"model":"keep"},"model" :"two"}"#.utf8)
        let rewritten = try JSONTopLevel.replacingModel(in: body, with: "up")
        #expect(String(decoding: rewritten, as: UTF8.self) == #"{"mod\u0065l":"up","x":{"model":"keep"},"model" :"up"}"#)
        #expect(try JSONTopLevel.scan(body).model == "two")
    }

    @Test func modelInsideAStringIsNotAKey() throws {
        let body = Array(#"{"note":"\"model\":\"fake\"","model":"real"}"#.utf8)
        let summary = try JSONTopLevel.scan(body)
        #expect(summary.model == "real")
        let rewritten = try JSONTopLevel.replacingModel(in: body, with: "up")
        #expect(String(decoding: rewritten, as: UTF8.self) == #"{"note":"\"model\":\"fake\"","model":"up"}"#)
    }

    @Test func scanReadsModelAndStream() throws {
        let summary = try JSONTopLevel.scan(Array(Self.trickyBody.utf8))
        #expect(summary == JSONTopLevel.Summary(model: "claude-sonnet-4-5", stream: true))
        #expect(try JSONTopLevel.scan(Array(#"{"model":"m"}"#.utf8)) == .init(model: "m", stream: false))
        #expect(try JSONTopLevel.scan(Array(#"{"stream":null}"#.utf8)) == .init(model: nil, stream: false))
        #expect(try JSONTopLevel.scan(Array(#"{"stream":false,"model":"m"}"#.utf8)) == .init(model: "m", stream: false))
        #expect(try JSONTopLevel.scan(Array(#"{"metadata":{"stream":true,"model":"n"}}"#.utf8)) == .init(model: nil, stream: false))
        #expect(try JSONTopLevel.scan(Array("{}".utf8)) == .init(model: nil, stream: false))
    }

    @Test func membersListsKeysAndValueRanges() throws {
        let text = #" { "a" : [1,{"b":2}] , "c":"d" } "#
        let bytes = Array(text.utf8)
        let members = try JSONTopLevel.members(of: bytes)
        #expect(members.map(\.key) == ["a", "c"])
        #expect(String(decoding: bytes[members[0].valueRange], as: UTF8.self) == #"[1,{"b":2}]"#)
        #expect(String(decoding: bytes[members[1].valueRange], as: UTF8.self) == #""d""#)
    }

    @Test("invalid bodies are rejected", arguments: [
        "",
        "[]",
        #""model""#,
        #"{"model":"a""#,
        #"{"model":"a",}"#,
        #"{"model":"a"} x"#,
        #"{"model":"a","x":[1,}"#,
        #"{"model":"a","x":"\q"}"#,
        #"{"model":"a","x":01}"#,
    ])
    func invalidBodies(text: String) {
        #expect(throws: JSONParseError.self) { try JSONTopLevel.scan(Array(text.utf8)) }
        #expect(throws: JSONParseError.self) { try JSONTopLevel.replacingModel(in: Array(text.utf8), with: "m") }
    }

    @Test func invalidUTF8AndDeepNestingAreRejected() {
        let badUTF8: [UInt8] = Array(#"{"model":"a","x":""#.utf8) + [0xFF] + Array(#""}"#.utf8)
        #expect(throws: JSONParseError.self) { try JSONTopLevel.scan(badUTF8) }
        let deep = #"{"model":"a","x":"# + String(repeating: "[", count: 600) + String(repeating: "]", count: 600) + "}"
        #expect(throws: JSONParseError.self) { try JSONTopLevel.replacingModel(in: Array(deep.utf8), with: "m") }
    }

    @Test func wrongTypesAreInvalidRequests() {
        #expect(throws: ConversionError.invalidRequest("model: field required")) {
            try JSONTopLevel.replacingModel(in: Array(#"{"x":{"model":"a"}}"#.utf8), with: "m")
        }
        #expect(throws: ConversionError.invalidRequest("model: expected a string, got number")) {
            try JSONTopLevel.replacingModel(in: Array(#"{"model":5}"#.utf8), with: "m")
        }
        #expect(throws: ConversionError.invalidRequest("model: expected a string, got null")) {
            try JSONTopLevel.scan(Array(#"{"model":null}"#.utf8))
        }
        #expect(throws: ConversionError.invalidRequest("stream: expected a boolean, got string")) {
            try JSONTopLevel.scan(Array(#"{"stream":"yes"}"#.utf8))
        }
    }

    static func firstRange(of pattern: [UInt8], in haystack: [UInt8]) -> Range<Int>? {
        guard pattern.count <= haystack.count else { return nil }
        for start in 0...(haystack.count - pattern.count) where Array(haystack[start..<start + pattern.count]) == pattern {
            return start..<start + pattern.count
        }
        return nil
    }
}
