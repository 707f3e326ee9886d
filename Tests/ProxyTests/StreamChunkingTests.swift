import Foundation
import LogPipeline
import Testing
import VDMProxy

/// A seed from the environment (`VDM_TEST_SEED`) or the clock, printed so a failure can be replayed.
enum TestSeed {
    static func announced(_ label: String) -> UInt64 {
        let seed = ProcessInfo.processInfo.environment["VDM_TEST_SEED"].flatMap { UInt64($0) } ?? UInt64(Date().timeIntervalSince1970 * 1000)
        print("\(label): seed \(seed) (rerun with VDM_TEST_SEED=\(seed))")
        return seed
    }
}

extension SplitMix64 {
    /// Between 1 and `maxCuts` cut offsets inside `1..<count` (repeats allowed: they cut once).
    mutating func cuts(count: Int, maxCuts: Int) -> [Int] {
        guard count > 1, maxCuts > 0 else { return [] }
        return (0...below(maxCuts)).map { _ in 1 + below(count - 1) }
    }
}

/// Invariant 6: what the client sees of a converted stream does not depend on how the upstream cut its
/// bytes. Every corpus stream, cut at every single position, byte by byte, and at seeded random
/// positions, gives the same client bytes as the uncut stream, and that view equals the hand-written one.
@Suite("Stream conversion is independent of upstream chunking")
struct StreamChunkingTests {
    /// Where two client streams part, as text (Swift Testing would print both byte arrays whole).
    static func diff(_ got: [UInt8], _ want: [UInt8]) -> String {
        let common = zip(got, want).prefix { $0 == $1 }.count
        return "differs at byte \(common): got …\(String(decoding: got.dropFirst(max(0, common - 40)).prefix(120), as: UTF8.self))… want …\(String(decoding: want.dropFirst(max(0, common - 40)).prefix(120), as: UTF8.self))…"
    }

    @Test("the uncut stream gives the hand-written client view", arguments: StreamCorpus.cases)
    func uncutStreamMatchesTheOracle(_ c: OpenAIStreamCase) throws {
        let (bytes, translator) = StreamCorpus.translate(c.bytes, cuts: [])
        #expect(try ClientView.of(bytes) == c.expected, "\(c.name): \(String(decoding: bytes, as: UTF8.self))")
        #expect(translator.converter.toolCalls == c.toolCalls)
        #expect((translator.failureDetail == nil) == (c.expected.errorType == nil))
    }

    @Test("every single cut position, and byte by byte, gives the same client bytes", arguments: StreamCorpus.cases)
    func everyCutPosition(_ c: OpenAIStreamCase) throws {
        let (reference, referenceTranslator) = StreamCorpus.translate(c.bytes, cuts: [])
        for position in 1..<c.bytes.count {
            let (bytes, translator) = StreamCorpus.translate(c.bytes, cuts: [position])
            let same = bytes == reference
            #expect(same, "\(c.name): cut at \(position)\n\(Self.diff(bytes, reference))")
            #expect(translator.converter.usage == referenceTranslator.converter.usage)
            #expect(translator.converter.toolCalls == c.toolCalls)
            #expect(translator.failureDetail == referenceTranslator.failureDetail)
            if bytes != reference { return }
        }
        let (bytes, _) = StreamCorpus.translate(c.bytes, cuts: Array(1..<c.bytes.count))
        let same = bytes == reference
        #expect(same, "\(c.name): byte by byte\n\(Self.diff(bytes, reference))")
    }

    @Test("seeded random chunkings give the same client bytes", arguments: StreamCorpus.cases)
    func randomChunkings(_ c: OpenAIStreamCase) throws {
        let seed = TestSeed.announced("randomChunkings[\(c.name)]")
        var rng = SplitMix64(state: seed)
        let (reference, referenceTranslator) = StreamCorpus.translate(c.bytes, cuts: [])
        for round in 0..<300 {
            let cuts = rng.cuts(count: c.bytes.count, maxCuts: 40)
            let (bytes, translator) = StreamCorpus.translate(c.bytes, cuts: cuts)
            let same = bytes == reference
            #expect(same, "\(c.name): seed \(seed) round \(round) cuts \(cuts.sorted())\n\(Self.diff(bytes, reference))")
            #expect(translator.converter.usage == referenceTranslator.converter.usage)
            #expect(translator.converter.toolCalls == c.toolCalls)
            if bytes != reference { return }
        }
    }

    @Test func toolCallsBeyondTheBoundAreAStreamErrorNotUnboundedMemory() throws {
        var converter = OpenAIStreamConverter(messageID: "m", clientModel: "c", stopSequences: [], maximumToolBytes: 1_000)
        _ = converter.start()
        _ = try converter.consume(data: ConversionStreamSupport.tool(0, id: "call_1", name: "f", arguments: String(repeating: "a", count: 800)))
        #expect(throws: ConversionError(.streamError, "upstream tool calls exceed 1000 bytes")) {
            try converter.consume(data: ConversionStreamSupport.tool(0, arguments: String(repeating: "b", count: 200)))
        }
        // Many empty calls are bounded too: each costs `perCallBytes`.
        var many = OpenAIStreamConverter(messageID: "m", clientModel: "c", stopSequences: [], maximumToolBytes: 1_000)
        _ = many.start()
        var failedAt: Int?
        for index in 0..<100 {
            do {
                _ = try many.consume(data: ConversionStreamSupport.tool(index))
            } catch {
                failedAt = index
                break
            }
        }
        #expect(failedAt == 1_000 / OpenAIStreamConverter.perCallBytes)
    }
}
