import Foundation
import LogPipeline
import Testing

/// `JSONBytes.appendString` skips eight clean bytes at a time; it must escape exactly what the plain
/// byte-by-byte rule escapes, wherever the byte sits relative to the eight-byte words.
@Suite struct JSONBytesEscapeTests {
    /// The rule, one byte at a time: control characters, `"`, `\` and DEL are escaped; nothing else.
    static func reference(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "\"")]
        let hex = Array("0123456789abcdef".utf8)
        for c in bytes {
            switch c {
            case UInt8(ascii: "\""): out += Array(#"\""#.utf8)
            case UInt8(ascii: "\\"): out += Array(#"\\"#.utf8)
            case 0x0A: out += Array(#"\n"#.utf8)
            case 0x0D: out += Array(#"\r"#.utf8)
            case 0x09: out += Array(#"\t"#.utf8)
            case 0..<0x20, 0x7F: out += Array(#"\u00"#.utf8) + [hex[Int(c >> 4)], hex[Int(c & 0xF)]]
            default: out.append(c)
            }
        }
        return out + [UInt8(ascii: "\"")]
    }

    static func encoded(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        bytes.withUnsafeBytes { JSONBytes.appendString(utf8: $0, to: &out) }
        return out
    }

    @Test func everyByteValueAtEveryOffsetOfTheWord() {
        for value in 0...255 {
            for offset in 0..<17 {
                var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 24)
                bytes[offset] = UInt8(value)
                #expect(Self.encoded(bytes) == Self.reference(bytes), "byte \(value) at \(offset)")
            }
        }
    }

    @Test func randomStringsOfEveryLength() {
        let seed = TestSeed.make("JSONBytesEscapeTests.randomStringsOfEveryLength")
        var generator = SplitMix64(state: seed)
        let alphabet: [UInt8] = Array("abc XYZ-_:/{}é".utf8) + [0x22, 0x5C, 0x0A, 0x00, 0x1B, 0x7F, 0x80, 0xFF, 0x1F, 0x20, 0x21, 0x5B, 0x5D]
        for length in 0..<80 {
            for _ in 0..<20 {
                let bytes = (0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] }
                #expect(Self.encoded(bytes) == Self.reference(bytes), "\(bytes), seed \(seed)")
            }
        }
    }
}
