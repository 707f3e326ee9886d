import LogPipeline
import Testing
import VDMProxy

/// Seeded, deterministic robustness tests (no randomness between runs).
@Suite("Conversion robustness (seeded)")
struct ConversionFuzzTests {
    static let seedDocument = Array(#"{"model":"claude","messages":[{"role":"user","content":[{"type":"text","text":"héllo \"q\" \\ 😀","cache_control":{"type":"ephemeral"}}]}],"n":[1,-2.5e3,true,false,null],"o":{"model":"x"}}"#.utf8)

    @Test func mutatedDocumentsNeverCrashAndRoundTrip() throws {
        var rng = SplitMix64(state: 42)
        let alphabet: [UInt8] = Array(#"{}[]:,"\ 0123456789-+.eEtrufalsn"#.utf8) + [0x00, 0x1F, 0x7F, 0xC3, 0xA9, 0xF0, 0x9F, 0xFF, 0xED, 0xA0]
        var parsedCount = 0
        for _ in 0..<3000 {
            var bytes = Self.seedDocument
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let position = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: bytes[position] = alphabet.randomElement(using: &rng) ?? 0
                case 1: bytes.remove(at: position)
                default: bytes.insert(alphabet.randomElement(using: &rng) ?? 0, at: position)
                }
                if bytes.isEmpty { bytes = [0x30] }
            }
            guard let value = try? JSONValue.parse(bytes) else {
                // Whatever the top-level scanner says must agree that the body is not acceptable.
                if (try? JSONTopLevel.members(of: bytes)) != nil {
                    Issue.record("top-level scanner accepted a body the parser rejects: \(String(decoding: bytes, as: UTF8.self))")
                }
                continue
            }
            parsedCount += 1
            let again = try JSONValue.parse(value.serialized())
            #expect(again == value)
            if case .object = value {
                #expect((try? JSONTopLevel.members(of: bytes))?.count == value.object?.count)
            }
            if case .object = value, let rewritten = try? JSONTopLevel.replacingModel(in: bytes, with: "m") {
                #expect(try JSONValue.parse(rewritten)["model"] == "m")
            }
        }
        #expect(parsedCount > 100)
    }

    @Test func randomlySplitToolStreamsKeepTheProtocol() throws {
        var rng = SplitMix64(state: 7)
        for round in 0..<300 {
            var payloads: [String] = []
            var expectedArguments: [String] = []
            var expectedText = ""
            let toolCount = Int.random(in: 0...3, using: &rng)
            if Bool.random(using: &rng) {
                let text = "Intro \(round) ✓"
                expectedText += text
                payloads.append(ConversionStreamSupport.content(text))
            }
            for tool in 0..<toolCount {
                let arguments = #"{"k":"v\#(tool)","n":[1,2,3],"s":"é\"x"}"#
                expectedArguments.append(arguments)
                var remaining = Substring(arguments)
                payloads.append(ConversionStreamSupport.tool(tool, id: "call_\(tool)", name: "f\(tool)", arguments: ""))
                while !remaining.isEmpty {
                    let take = Int.random(in: 1...6, using: &rng)
                    let piece = remaining.prefix(take)
                    remaining = remaining.dropFirst(piece.count)
                    payloads.append(ConversionStreamSupport.tool(tool, arguments: String(piece)))
                }
            }
            payloads.append(ConversionStreamSupport.finish(toolCount > 0 ? "tool_calls" : "stop"))
            payloads.append(ConversionStreamSupport.usage(prompt: 10, completion: round, cached: 0))
            payloads.append("[DONE]")
            let (events, converter) = try ConversionStreamSupport.run(payloads)
            #expect(ConversionStreamSupport.protocolViolation(events) == nil)
            let firstToolIndex = expectedText.isEmpty ? 0 : 1
            if !expectedText.isEmpty {
                #expect(ConversionStreamSupport.text(of: events, index: 0) == expectedText)
            }
            for (offset, arguments) in expectedArguments.enumerated() {
                #expect(ConversionStreamSupport.text(of: events, index: firstToolIndex + offset) == arguments)
            }
            #expect(converter.toolCalls == toolCount)
            #expect(converter.usage.outputTokens == round)
        }
    }
}
