import Foundation
import LogPipeline
import Testing
import VDMProxy

/// Every committed fuzz seed (fixtures/fuzz/<target>/, crashers kept there included) through its
/// fuzz target in the ordinary test run, so a fixed crash stays fixed without a libFuzzer build, and
/// checks on a few seeds that the targets really reach the code they claim to (counts from the files).
@Suite struct FuzzCorpusTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func seeds(_ target: FuzzTarget) throws -> [URL] {
        let directory = root.appendingPathComponent("fixtures/fuzz/\(target.rawValue)")
        return try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    static func bytes(_ target: FuzzTarget, _ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: root.appendingPathComponent("fixtures/fuzz/\(target.rawValue)/\(name)")))
    }

    @Test(arguments: FuzzTarget.allCases)
    func everySeedHoldsTheTargetsProperties(_ target: FuzzTarget) throws {
        let seeds = try Self.seeds(target)
        #expect(seeds.count >= 3, "fixtures/fuzz/\(target.rawValue) needs seeds")
        for seed in seeds {
            let data = Array(try Data(contentsOf: seed))
            do {
                try target.run(data)
            } catch {
                Issue.record("\(target.rawValue)/\(seed.lastPathComponent): \(error)")
            }
        }
    }

    @Test func readerSeedsReachTheParser() throws {
        let jsonLines = try ReaderFuzz.run(try Self.bytes(.record, "demo-first-12.jsonl"))
        #expect(jsonLines.records == 12 && jsonLines.problems.isEmpty && jsonLines.stats.format == .jsonLines)
        let export = try ReaderFuzz.run(try Self.bytes(.journalExport, "demo-first-2.export"))
        #expect(export.records == 2 && export.stats.format == .journalExport)
        let binary = try ReaderFuzz.run(try Self.bytes(.journalExport, "binary-field.export"))
        #expect(binary.records == 1 && binary.problems.isEmpty)
        let members = try ReaderFuzz.run(try Self.bytes(.gzip, "two-members.jsonl.gz"))
        #expect(members.records == 6 && members.stats.compressed)
        let broken = try ReaderFuzz.run(try Self.bytes(.record, "truncated-last-line.jsonl"))
        #expect(broken.records == 1 && broken.problems == [.truncatedLine: 1])
    }

    @Test func redactionBoundIsTheDocumentedFunction() {
        #expect(Redactor.maxOutputLength(forInputLength: 0) == 0)
        #expect(Redactor.maxOutputLength(forInputLength: 7) == 7)
        #expect(Redactor.maxOutputLength(forInputLength: 8) == 19)
        #expect(Redactor.maxOutputLength(forInputLength: 16) == 38)
        #expect(Redactor.maxOutputLength(forInputLength: Int.max) == Int.max)
        // The tightest case the rules allow: `apikey:` and an 8-char value, 15 bytes → 26.
        let out = Redactor().redact("apikey:abcd1234")
        #expect(out.utf8.count == 26 && out.utf8.count <= Redactor.maxOutputLength(forInputLength: 15))
    }

    @Test func streamTargetsCheckTheProtocol() throws {
        // A hand-written stream that breaks the order rules must be caught by the checker.
        let bad: [AnthropicStreamEvent] = [
            AnthropicStreamEvent("message_start", ["type": "message_start"]),
            AnthropicStreamEvent("content_block_delta", ["type": "content_block_delta", "index": 0]),
        ]
        #expect(throws: FuzzViolation.self) { try AnthropicProtocol.check(bad) }
        let stream = try Self.bytes(.sse, "openai-text.sse")
        let chunks = StreamFuzz.chunks(of: stream)
        #expect(chunks.count > 2 && Array(chunks.joined()) == stream)
    }

    /// Found by the `redactor` target (minimized): a named value that is itself a header line took
    /// the inner name as its secret and left the inner credential in clear (`SecretScanner.isName`).
    @Test func namedValueHoldingAHeaderDoesNotLeakItsCredential() throws {
        let input = String(decoding: try Self.bytes(.redactor, "known-leak-named-value.txt"), as: UTF8.self)
        let secret = "Zq8Kx3Vb7Np2Lm9Rt4Wy32QX0R8J2RXW"
        #expect(input.contains(secret))
        let out = Redactor().redact(input)
        #expect(!out.contains(secret), "\(out)")
        #expect(out.contains("[redacted:" + SecretHash.short(secret) + "]"), "the credential hashes as itself: \(out)")
        // The other order, both names as JSON keys, and the Swift-NIO tuple whose value is a JSON key
        // (the second fuzz find: `crash-tuple-name-as-value.bin` plants it).
        for text in ["Authorization: x-api-key: \(secret)", #"{"x-api-key": "Authorization: Bearer \#(secret)"}"#,
                     #"headers: [("x-api-key","authorization":"\#(secret)";, "x")]"#,
                     // …while a real value that a colon happens to follow is still the value (third find).
                     #" "authorization":"\#(secret)" :#"#, #"x-api-key: "\#(secret)":"#,
                     // A Bearer token that is itself a field name (fourth find).
                     "Bearer\tProxy-Authorization=\(secret)", "Authorization: Bearer x-api-key: \(secret)"] {
            #expect(!Redactor().redact(text).contains(secret), "\(text)")
        }
    }
}
