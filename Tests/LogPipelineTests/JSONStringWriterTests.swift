import Foundation
import Testing
@testable import LogPipeline

/// `JSONBytes.appendString`, the one JSON string writer, through both of its outputs: a growing
/// `[UInt8]` (renderers, the proxy, the mock) and the encoder's `ByteCursor` over a `LineBuffer`,
/// whose blocks are stored whole into the slack. Oracle: Foundation's JSON reader gives the original
/// text back, and hand-written escapes for the bytes vdm escapes.
@Suite struct JSONStringWriterTests {
    static func viaArray(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        JSONBytes.appendString(text, to: &out)
        return out
    }

    /// Through a cursor, after `prefix` bytes already in a small buffer (so growth happens mid-string).
    static func viaCursor(_ text: String, prefix: Int, capacity: Int) -> [UInt8] {
        withLineBuffer(capacity: capacity) { line in
            for _ in 0..<prefix { line.append(UInt8(ascii: "x")) }
            var text = text
            text.withUTF8 { utf8 in line.withCursor { $0.writeJSONString(UnsafeRawBufferPointer(utf8)) } }
            return Array(line.bytes.dropFirst(prefix))
        }
    }

    static func decoded(_ json: [UInt8]) throws -> String? {
        try JSONSerialization.jsonObject(with: Data(json), options: [.fragmentsAllowed]) as? String
    }

    @Test("escapes", arguments: [
        ("", #""""#), ("plain", #""plain""#), ("a\"b", #""a\"b""#), ("back\\slash", #""back\\slash""#),
        ("nl\n cr\r tab\t", #""nl\n cr\r tab\t""#), ("\u{0}\u{1}\u{1F}", #""\u0000\u0001\u001f""#),
        ("del\u{7F}", #""del\u007f""#), ("é中😀", "\"é中😀\""),
        ("sixteen bytes!!\"", #""sixteen bytes!!\"""#),
    ])
    func escapes(_ text: String, _ expected: String) {
        #expect(Self.viaArray(text) == Array(expected.utf8))
        #expect(Self.viaCursor(text, prefix: 0, capacity: 32) == Array(expected.utf8))
    }

    @Test func bothOutputsAgreeAndRoundTripOnSeededRandomText() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        print("JSONStringWriterTests seed: \(seed)")
        var rng = SplitMix64(state: seed)
        let alphabet: [String] = ["a", "Z", "0", " ", "\"", "\\", "\n", "\t", "\u{0}", "\u{1B}", "\u{7F}", "é", "中", "😀", "/"]
        for round in 0..<2_000 {
            let length = Int(rng.next() % 70)
            var text = ""
            for _ in 0..<length { text += alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            let array = Self.viaArray(text)
            let prefix = Int(rng.next() % 40)
            let capacity = 17 + Int(rng.next() % 64)  // small: the cursor grows inside the string
            #expect(Self.viaCursor(text, prefix: prefix, capacity: capacity) == array, "seed \(seed) round \(round)")
            #expect(try Self.decoded(array) == text, "seed \(seed) round \(round)")
            #expect(!array.contains(0x0A) && !array.contains(0x7F), "a raw newline or DEL in \(array)")
        }
    }

    @Test func aLineBufferGrowsAndKeepsWhatWasWritten() {
        let bytes = withLineBuffer(capacity: 20) { line in
            for k in 0..<1_000 { line.append(UInt8(truncatingIfNeeded: k)) }
            let chunk = [UInt8](repeating: 0xAB, count: 300)
            chunk.withUnsafeBytes { line.append(contentsOf: $0) }
            return Array(line.bytes)
        }
        #expect(bytes.count == 1_300)
        #expect(bytes[0..<1_000] == ArraySlice((0..<1_000).map { UInt8(truncatingIfNeeded: $0) }))
        #expect(bytes[1_000...].allSatisfy { $0 == 0xAB })
    }
}
