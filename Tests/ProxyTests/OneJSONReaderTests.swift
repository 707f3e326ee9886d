import LogPipeline
import Testing
import VDMProxy

/// The proxy's document parser (`JSONValue.parse`) and replay's record parser (`RecordParser`) read
/// JSON with the same scanner (`JSONScan`): inside a value, the same input fails at the same byte for
/// the same reason (replay counts bytes from 1, the proxy from 0), and where their caps differ they
/// differ as documented (nesting: 64 in replay, 512 in the proxy; lone surrogates: replaced by the
/// proxy, reported by replay).
@Suite struct OneJSONReaderTests {
    static func replayProblem(_ line: String) -> (InputProblemKind, String)? {
        let parser = RecordParser()
        let bytes = Array(line.utf8)
        return bytes.withUnsafeBytes { raw in
            if case .problem(let kind, let detail) = parser.parse(raw) { return (kind, detail) }
            return nil
        }
    }

    static func proxyError(_ line: String) -> JSONParseError? {
        do {
            _ = try JSONValue.parse(line)
            return nil
        } catch {
            return error
        }
    }

    @Test("a broken value fails at the same byte for the same reason in both", arguments: [
        (#"{"a":[1,]}"#, 8, "unexpected character ']', expected a value"),
        (#"{"a":01}"#, 5, "invalid number: leading zero"),
        (#"{"a":-}"#, 6, "invalid number: expected a digit"),
        (#"{"a":1.}"#, 7, "invalid number: expected a digit after '.'"),
        (#"{"a":1e}"#, 7, "invalid number: expected a digit in exponent"),
        (#"{"a":tru}"#, 5, "invalid literal"),
        (#"{"a":"\x"}"#, 6, "invalid escape sequence"),
        (#"{"a":"\u12G4"}"#, 6, #"invalid \u escape"#),
        (#"{"a":{"b" 1}}"#, 10, "expected ':' after object key"),
        (#"{"a":{"b":1,}}"#, 12, "expected a string key in object"),
        (#"{"a":[1 2]}"#, 8, "expected ',' or ']' in array"),
        (#"{"a":{"b":1 "c":2}}"#, 12, "expected ',' or '}' in object"),
        (#"{"a":NaN}"#, 5, "unexpected character 'N', expected a value"),
    ] as [(String, Int, String)])
    func sameFailure(_ line: String, _ offset: Int, _ reason: String) throws {
        let proxy = try #require(Self.proxyError(line))
        #expect(proxy.offset == offset)
        #expect(proxy.reason == reason)
        let replay = try #require(Self.replayProblem(line))
        #expect(replay.0 == .malformedJSON)
        #expect(replay.1 == "byte \(offset + 1): \(reason)")
    }

    @Test func nestingCapsDifferAsDocumented() throws {
        // `depth` levels in all: the line's object and depth - 1 arrays in its one value. Replay
        // counts the levels inside a value (its line object is read by the record parser itself).
        func nested(_ depth: Int) -> String {
            #"{"a":"# + String(repeating: "[", count: depth - 1) + String(repeating: "]", count: depth - 1) + "}"
        }
        #expect(Self.replayProblem(nested(65))?.0 == .foreignRecord)  // read; just not a vdm record
        #expect(Self.replayProblem(nested(66))?.1.contains("nested deeper than 64") == true)
        #expect(Self.proxyError(nested(66)) == nil)
        #expect(Self.proxyError(nested(512)) == nil)
        #expect(Self.proxyError(nested(513))?.reason == "nesting deeper than 512 levels")
    }

    @Test func loneSurrogatesAreReplacedByTheProxyAndReportedByReplay() throws {
        #expect(try JSONValue.parse(#"{"a":"\ud83dx"}"#)["a"]?.string == "\u{FFFD}x")
        // A record whose event.action is a lone surrogate escape: replay cannot decode it.
        let parser = RecordParser()
        let line = Array(#"{"vdm.schema":1,"service.instance.id":"i","event.sequence":1,"event.action":"\ud83d"}"#.utf8)
        let kind = line.withUnsafeBytes { parser.parse($0) }
        #expect(kind == .record(.unknownAction))
    }
}
