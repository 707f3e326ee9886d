import Testing
import VDMProxy

/// Small helpers shared by the conversion test files (namespaced to avoid clashes in the test target).
enum ConversionTestSupport {
    static func json(_ text: String) throws -> JSONValue {
        try JSONValue.parse(Array(text.utf8))
    }

    static func compact(_ value: JSONValue) -> String {
        value.compactText
    }

    static func parseError(_ bytes: [UInt8]) -> JSONParseError? {
        do {
            _ = try JSONValue.parse(bytes)
            return nil
        } catch {
            return error
        }
    }
}

@Suite("JSONValue parser and serializer")
struct ConversionJSONTests {
    @Test("compact documents re-serialize byte for byte", arguments: [
        #"{"a":1,"b":[true,false,null],"c":{"d":"e"}}"#,
        #"[1.50,-0,1e400,12345678901234567890123,0.1E-7,2E+3]"#,
        #"{"z":1,"a":2,"m":3}"#,
        #""plain""#,
        #"{"emoji":"😀","accent":"é","cjk":"中文"}"#,
        #"{"esc":"a\"b\\c\nd\te\u0001f"}"#,
        #"[]"#,
        #"{}"#,
        #"[[],{},[{}]]"#,
        "-12.5e-3",
        "true",
        "null",
    ])
    func roundTrip(text: String) throws {
        let value = try ConversionTestSupport.json(text)
        #expect(value.compactText == text)
        #expect(value.serialized() == Array(text.utf8))
    }

    @Test func whitespaceIsRemovedAndOrderKept() throws {
        let value = try ConversionTestSupport.json(" {\n \"b\" : [ 1 , 2 ] ,\t\"a\" : { } }\r\n")
        #expect(value.compactText == #"{"b":[1,2],"a":{}}"#)
        #expect(value.object?.map(\.key) == ["b", "a"])
    }

    @Test func numbersKeepTheirLiteralText() throws {
        let value = try ConversionTestSupport.json(#"{"t":0.70,"big":123456789012345678901234567890,"e":1E2}"#)
        #expect(value["t"] == .number("0.70"))
        #expect(value["big"] == .number("123456789012345678901234567890"))
        #expect(value["e"] == .number("1E2"))
        #expect(value["e"]?.int == 100)
        #expect(value["t"]?.double == 0.7)
        #expect(value["t"]?.int == nil)
        #expect(value["big"]?.int == nil)
    }

    @Test("integer accessor", arguments: [
        ("3", 3), ("-3", -3), ("3.0", 3), ("3.50e1", 35), ("1e3", 1000), ("1E+2", 100), ("-2.50E+1", -25),
        ("12000e-3", 12), ("0.0", 0), ("-0", 0), ("0e400", 0), ("9223372036854775807", Int.max),
    ] as [(String, Int)])
    func integerAccessor(literal: String, expected: Int) {
        #expect(JSONValue.number(literal).int == expected)
    }

    @Test("integer accessor rejects non-integers and overflow", arguments: [
        "3.5", "1e-1", "12001e-3", "9223372036854775808", "1e19", "1e400", "-1e400", "0.1",
    ])
    func integerAccessorRejects(literal: String) {
        #expect(JSONValue.number(literal).int == nil)
    }

    @Test func escapesAreDecoded() throws {
        let value = try ConversionTestSupport.json(#"["\u00e9\u4e2d\ud83d\ude00","\/\b\f\n\r\t\"\\"]"#)
        #expect(value[0]?.string == "é中😀")
        #expect(value[1]?.string == "/\u{08}\u{0C}\n\r\t\"\\")
    }

    @Test func unpairedSurrogatesBecomeReplacementCharacters() throws {
        let value = try ConversionTestSupport.json(#"["\ud83dx","\ude00","\ud83d\u0041"]"#)
        #expect(value[0]?.string == "\u{FFFD}x")
        #expect(value[1]?.string == "\u{FFFD}")
        #expect(value[2]?.string == "\u{FFFD}A")
    }

    @Test func serializerEscapesControlCharactersAndKeepsUnicode() {
        let value: JSONValue = ["k\"ey": "line1\nline2\u{01}\u{1F}\t\\ é 😀"]
        let expected = #"{"k\"ey":"line1\nline2\u0001\u001f\t\\ é 😀"}"#
        #expect(value.compactText == expected)
        #expect(value.serialized() == Array(expected.utf8))
    }

    @Test func duplicateKeysKeepAllMembersAndSubscriptReturnsTheLast() throws {
        let value = try ConversionTestSupport.json(#"{"a":1,"a":2}"#)
        #expect(value.object?.count == 2)
        #expect(value["a"] == 2)
        #expect(value.compactText == #"{"a":1,"a":2}"#)
    }

    @Test func settingReplacesInPlaceOrAppends() {
        let value: JSONValue = ["a": 1, "b": 2]
        #expect(value.setting("a", to: 9).compactText == #"{"a":9,"b":2}"#)
        #expect(value.setting("c", to: "x").compactText == #"{"a":1,"b":2,"c":"x"}"#)
        #expect(JSONValue.string("s").setting("a", to: 1) == .string("s"))
    }

    @Test func accessors() throws {
        let value = try ConversionTestSupport.json(#"{"s":"x","n":3,"f":3.0,"b":true,"z":null,"l":[1],"o":{"k":1}}"#)
        #expect(value["s"]?.string == "x")
        #expect(value["n"]?.int == 3)
        #expect(value["f"]?.int == 3)
        #expect(value["b"]?.bool == true)
        #expect(value["z"]?.isNull == true)
        #expect(value["l"]?.array == [1])
        #expect(value["o"]?.object?.first?.key == "k")
        #expect(value["missing"] == nil)
        #expect(value["s"]?.int == nil)
        #expect(value["n"]?.string == nil)
        #expect(value["l"]?[0] == 1)
        #expect(value["l"]?[1] == nil)
        #expect(value["l"]?[-1] == nil)
        #expect(JSONValue.array([])["k"] == nil)
    }

    @Test func equalityIsLiteralAndOrdered() {
        #expect(JSONValue.number("1") != JSONValue.number("1.0"))
        #expect((["a": 1, "b": 2] as JSONValue) != (["b": 2, "a": 1] as JSONValue))
        #expect((["a": [1, "x", nil]] as JSONValue) == (["a": [1, "x", nil]] as JSONValue))
    }

    struct InvalidCase: Sendable, CustomStringConvertible {
        var bytes: [UInt8]
        var offset: Int
        var reasonFragment: String
        var description: String { String(decoding: bytes, as: UTF8.self) + " @\(offset)" }

        init(_ text: String, _ offset: Int, _ reasonFragment: String) {
            self.init(bytes: Array(text.utf8), offset, reasonFragment)
        }

        init(bytes: [UInt8], _ offset: Int, _ reasonFragment: String) {
            self.bytes = bytes
            self.offset = offset
            self.reasonFragment = reasonFragment
        }
    }

    @Test("invalid documents fail with offset and reason", arguments: [
        InvalidCase("", 0, "end of input"),
        InvalidCase("   ", 3, "end of input"),
        InvalidCase("{", 1, "end of input"),
        InvalidCase("[1,]", 3, "expected a value"),
        InvalidCase("[1 2]", 3, "expected ',' or ']'"),
        InvalidCase(#"{"a" 1}"#, 5, "expected ':'"),
        InvalidCase(#"{"a":1,}"#, 7, "expected a string key"),
        InvalidCase("{1:2}", 1, "expected a string key"),
        InvalidCase("01", 0, "leading zero"),
        InvalidCase("1.", 2, "after '.'"),
        InvalidCase("1e", 2, "exponent"),
        InvalidCase("-", 1, "expected a digit"),
        InvalidCase("+1", 0, "unexpected character '+'"),
        InvalidCase("NaN", 0, "unexpected character 'N'"),
        InvalidCase("tru", 0, "invalid literal"),
        InvalidCase("nulx", 0, "invalid literal"),
        InvalidCase("[1] x", 4, "after the JSON value"),
        InvalidCase(#""abc"#, 0, "unterminated string"),
        InvalidCase("\"a\u{01}\"", 2, "control character 0x01"),
        InvalidCase("\"a\nb\"", 2, "control character 0x0A"),
        InvalidCase(#""\x""#, 1, "invalid escape"),
        InvalidCase(#""\u12""#, 1, "invalid \\u escape"),
        InvalidCase(#""\u12G4""#, 1, "invalid \\u escape"),
        InvalidCase(bytes: [0x22, 0x61, 0xFF, 0x22], 2, "invalid UTF-8"),
        InvalidCase(bytes: [0x22, 0xC0, 0x80, 0x22], 1, "invalid UTF-8"), // overlong
        InvalidCase(bytes: [0x22, 0xED, 0xA0, 0x80, 0x22], 1, "invalid UTF-8"), // encoded surrogate
        InvalidCase(bytes: [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], 1, "invalid UTF-8"), // > U+10FFFF
        InvalidCase(bytes: [0x22, 0xE4, 0xB8], 1, "invalid UTF-8"), // truncated sequence
        InvalidCase(bytes: [0x22, 0xE4, 0x41, 0xAD, 0x22], 1, "invalid UTF-8"), // bad continuation
        InvalidCase(bytes: [0xEF, 0xBB, 0xBF, 0x31], 0, "unexpected character 0xEF"), // BOM
    ])
    func invalidDocuments(_ testCase: InvalidCase) {
        let error = ConversionTestSupport.parseError(testCase.bytes)
        #expect(error?.offset == testCase.offset)
        #expect(error?.reason.contains(testCase.reasonFragment) == true, "\(String(describing: error))")
    }

    @Test func errorDescriptionNamesOffsetAndReason() {
        let error = ConversionTestSupport.parseError(Array("[1,]".utf8))
        #expect(error?.description == "invalid JSON at byte 3: unexpected character ']', expected a value")
    }

    @Test func nestingIsCappedAt512() throws {
        let ok = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        #expect(throws: Never.self) { try JSONValue.parse(Array(ok.utf8)) }
        let tooDeep = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
        let error = ConversionTestSupport.parseError(Array(tooDeep.utf8))
        #expect(error?.offset == 512)
        #expect(error?.reason.contains("nesting deeper than 512") == true)
        let mixed = String(repeating: #"{"a":["#, count: 300) + "1" + String(repeating: "]}", count: 300)
        #expect(ConversionTestSupport.parseError(Array(mixed.utf8))?.reason.contains("nesting") == true)
    }

    @Test func hugeNestingIsAnErrorNotACrash() {
        let bytes = [UInt8](repeating: UInt8(ascii: "["), count: 200_000)
        #expect(ConversionTestSupport.parseError(bytes)?.reason.contains("nesting") == true)
    }

    @Test func parsesNonContiguousCollections() throws {
        let bytes = Array(#"{"k":[1,"v"]}"#.utf8)
        let lazy = bytes.lazy.map { $0 }
        let value = try JSONValue.parse(lazy)
        #expect(value.compactText == #"{"k":[1,"v"]}"#)
        let slice = bytes[1..<bytes.count - 1] // "k":[1,"v"] is not a document
        #expect(throws: JSONParseError.self) { try JSONValue.parse(slice) }
        let inner = Array("xx[1]xx".utf8)[2..<5]
        #expect(try JSONValue.parse(inner) == [1])
    }

    @Test func literalsBuildExpectedValues() {
        let value: JSONValue = ["n": 1, "f": 0.5, "b": false, "z": nil, "s": "x", "a": [1, 2]]
        #expect(value.compactText == #"{"n":1,"f":0.5,"b":false,"z":null,"s":"x","a":[1,2]}"#)
        #expect(JSONValue(42) == .number("42"))
        #expect(JSONValue("s") == .string("s"))
        #expect(JSONValue(true) == .bool(true))
        #expect(JSONValue.stringOrNull(nil) == .null)
    }
}
