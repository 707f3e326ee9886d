import Testing
import VDMProxy

/// The ids vdm makes for messages and tool calls the upstream did not name: their shape, and the
/// digits drawn from a known generator (expected strings computed by hand in Python:
/// `a[w % 62]`, `w //= 62`, eight digits per 64-bit word).
@Suite struct ConversionIDsTests {
    struct Words: RandomNumberGenerator {
        var words: [UInt64]
        mutating func next() -> UInt64 { words.isEmpty ? 0 : words.removeFirst() }
    }

    @Test func digitsComeFromTheGeneratorsWords() {
        var g = Words(words: [0x0123_4567_89AB_CDEF, 0xFFFF_FFFF_FFFF_FFFF, 42, 7])
        #expect(ConversionIDs.random(prefix: "msg_", using: &g) == "msg_zBKRVDfUFYHA61aHg0000000")
        // Three words for 24 characters: the fourth is still there.
        #expect(g.words == [7])
    }

    @Test func systemIDsHaveThePrefixAnd24Base62Characters() {
        let ids = (0..<1_000).map { _ in ConversionIDs.random(prefix: "toolu_") }
        for id in ids {
            #expect(id.hasPrefix("toolu_"))
            let rest = id.utf8.dropFirst(6)
            #expect(rest.count == 24)
            #expect(rest.allSatisfy { (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) }, "\(id)")
        }
        #expect(Set(ids).count == ids.count)
    }
}
