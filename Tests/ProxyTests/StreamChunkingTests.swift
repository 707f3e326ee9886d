import Foundation
import Testing
@testable import vdm

/// A seeded generator (SplitMix64), so a failing chunking can be reproduced from the printed seed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A seed from the environment (`VDM_TEST_SEED`) or the clock, printed so a failure can be replayed.
    static func announcedSeed(_ label: String) -> UInt64 {
        let seed = ProcessInfo.processInfo.environment["VDM_TEST_SEED"].flatMap { UInt64($0) } ?? UInt64(Date().timeIntervalSince1970 * 1000)
        print("\(label): seed \(seed) (rerun with VDM_TEST_SEED=\(seed))")
        return seed
    }

    /// Between 1 and `maxCuts` distinct cut offsets inside `0..<count`.
    mutating func cuts(count: Int, maxCuts: Int) -> [Int] {
        guard count > 1 else { return [] }
        let n = Int.random(in: 1...maxCuts, using: &self)
        return (0..<n).map { _ in Int.random(in: 1..<count, using: &self) }
    }
}

/// Invariant 6: what the client sees of a converted stream does not depend on how the upstream cut its
/// bytes. Every corpus stream, cut at every single position, byte by byte, and at seeded random
/// positions, gives the same client bytes as the uncut stream, and that view equals the hand-written one.
@Suite("Stream conversion is independent of upstream chunking")
struct StreamChunkingTests {
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
            #expect(bytes == reference, "\(c.name): cut at \(position)")
            #expect(translator.converter.usage == referenceTranslator.converter.usage)
            #expect(translator.converter.toolCalls == c.toolCalls)
            #expect(translator.failureDetail == referenceTranslator.failureDetail)
            if bytes != reference { return }
        }
        let (bytes, _) = StreamCorpus.translate(c.bytes, cuts: Array(1..<c.bytes.count))
        #expect(bytes == reference, "\(c.name): byte by byte")
    }

    @Test("seeded random chunkings give the same client bytes", arguments: StreamCorpus.cases)
    func randomChunkings(_ c: OpenAIStreamCase) throws {
        let seed = SeededGenerator.announcedSeed("randomChunkings[\(c.name)]")
        var rng = SeededGenerator(seed: seed)
        let (reference, referenceTranslator) = StreamCorpus.translate(c.bytes, cuts: [])
        for round in 0..<300 {
            let cuts = rng.cuts(count: c.bytes.count, maxCuts: 40)
            let (bytes, translator) = StreamCorpus.translate(c.bytes, cuts: cuts)
            #expect(bytes == reference, "\(c.name): seed \(seed) round \(round) cuts \(cuts.sorted())")
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
