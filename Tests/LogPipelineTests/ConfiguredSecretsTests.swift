import Foundation
import Logging
import Testing
import LogPipeline

/// `[redacted:<hash of secret>]`, spelled out by hand.
private func marker(_ secret: String) -> String { "[redacted:\(SecretHash.short(secret))]" }

/// Real provider key shapes that no shape rule knows.
private let geminiKey = "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY"
private let groqKey = "gsk_8fJ2kLm9QwErTyUiOp3aSdFgHjKlZxCvBnM4qWeRtYuIoP5a"
private let plainKey = "0f9e8d7c6b5a49382716afbecd013579"
private let proxyKey = "proxy-Secret-42"

/// The strings `count` characters long from the alphabet keys use, made by `rng`.
private func randomKey(_ count: Int, _ rng: inout SplitMix64) -> String {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
    return String((0..<count).map { _ in alphabet[rng.below(alphabet.count)] })
}

/// Every 12-character piece of `secret` that occurs in `text`.
private func leakedPieces(of secret: String, in text: String) -> [String] {
    let chars = Array(secret)
    guard chars.count >= 12 else { return text.contains(secret) ? [secret] : [] }
    return (0...(chars.count - 12)).map { String(chars[$0..<($0 + 12)]) }.filter { text.contains($0) }
}

@Suite("Redactor: configured secret values")
struct ConfiguredSecretsTests {
    let redactor = Redactor(secrets: ConfiguredSecrets([geminiKey, groqKey, plainKey, proxyKey]))

    @Test("each configured value is replaced by its own hash, in any context")
    func exactValues() {
        let cases: [(String, String)] = [
            ("key \(geminiKey) rejected", "key \(marker(geminiKey)) rejected"),
            ("Incorrect API key provided: \(groqKey).", "Incorrect API key provided: \(marker(groqKey))."),
            ("{\"error\":{\"message\":\"bad key \(plainKey)\"}}", "{\"error\":{\"message\":\"bad key \(marker(plainKey))\"}}"),
            ("glued:abc\(plainKey)xyz", "glued:abc\(marker(plainKey))xyz"),
            ("model=\(proxyKey)", "model=\(marker(proxyKey))"),
            ("two \(geminiKey)\(groqKey)", "two \(marker(geminiKey))\(marker(groqKey))"),
            (proxyKey, marker(proxyKey)),
            ("x-api-key: \(geminiKey)", "x-api-key: \(marker(geminiKey))"),
        ]
        for (input, expected) in cases {
            #expect(redactor.redact(input) == expected, "\(input)")
            #expect(redactor.mightContainSecret(input))
            #expect(redactor.redact(expected) == expected, "idempotent: \(expected)")
        }
    }

    @Test("adding a value already configured keeps the same set; adding a new one matches it too")
    func addingValues() {
        #expect(redactor.adding(groqKey).secrets == redactor.secrets)
        #expect(redactor.adding(groqKey).secrets.count == 4)
        let clientKey = "client-own-key-4f9a2c7e1b"
        #expect(redactor.redact("k \(clientKey)") == "k \(clientKey)")
        let widened = redactor.adding(clientKey)
        #expect(widened.secrets.count == 5)
        #expect(widened.redact("k \(clientKey) and \(groqKey)") == "k \(marker(clientKey)) and \(marker(groqKey))")
        // A prefix of a configured value is another value, not the same one.
        #expect(redactor.adding(String(groqKey.dropLast())).secrets.count == 5)
    }

    @Test("a configured sk- key glued to letters on both sides hashes as the key, not as the longer run")
    func configuredGluedBothSides() {
        let sk = "sk-proj-Ab3dEf5hIj7lMn9pQr1tUv3xYz5B7d9F1h3J"
        let r = Redactor(secrets: ConfiguredSecrets([sk]))
        #expect(r.redact("xxxx\(sk)yyyy tail") == "xxxx\(marker(sk))yyyy tail")
    }

    @Test("the shape rules still apply, and text without secrets is untouched")
    func shapesStillApply() {
        let sk = "sk-proj-Ab3dEf5hIj7lMn9pQr1tUv3xYz5B7d9F1h3J"
        #expect(redactor.redact("k \(sk)") == "k \(marker(sk))")
        let clean = "the proxy-Secret-4 is not the key, nor is AIzaSy alone"
        #expect(redactor.redact(clean) == clean)
        #expect(!redactor.mightContainSecret(clean))
    }

    @Test("values shorter than the minimum are not matched by value")
    func shortValuesIgnored() {
        let secrets = ConfiguredSecrets(["x", "test", "1234567"])
        #expect(secrets.isEmpty)
        #expect(Redactor(secrets: secrets).redact("x test 1234567") == "x test 1234567")
        #expect(ConfiguredSecrets(["12345678"]).count == 1)
    }

    @Test("a shape match overlapping a configured value leaves no piece of either")
    func overlapping() {
        // The configured value starts inside a Bearer token and runs past its end.
        let value = "tail-of-token+MORE"
        let r = Redactor(secrets: ConfiguredSecrets([value]))
        let text = "Authorization: Bearer AbCdEf0123456789tail-of-token+MORE&x=1"
        let out = r.redact(text)
        #expect(!out.contains("AbCdEf0123456789"), "\(out)")
        #expect(!out.contains("MORE"), "\(out)")
        #expect(out.hasPrefix("Authorization: Bearer [redacted:"), "\(out)")
        #expect(out.hasSuffix("]&x=1"), "\(out)")
    }

    @Test("the vector search finds a value at every offset and length, as a naive search does")
    func vectorSearchAgainstNaive() {
        let seed = UInt64(UInt32.random(in: 0...UInt32.max))
        print("ConfiguredSecretsTests.vectorSearchAgainstNaive seed \(seed)")
        var rng = SplitMix64(state: seed)
        for length in [8, 9, 15, 16, 17, 31, 40, 64] {
            // A key no shape rule matches even in its longest surroundings below, so that the naive
            // search is the whole oracle (some random keys look like a token: the shape rule then
            // redacts the key with its neighbours, more than the naive search expects).
            var key = randomKey(length, &rng)
            while Redactor().redact(String(repeating: "ab", count: 20) + key + String(repeating: "z", count: 33))
                    != String(repeating: "ab", count: 20) + key + String(repeating: "z", count: 33) {
                key = randomKey(length, &rng)
            }
            // Alone (the two-byte-filter single search) and among decoys (the one-pass search of several).
            for r in [Redactor(secrets: ConfiguredSecrets([key])),
                      Redactor(secrets: ConfiguredSecrets([randomKey(12, &rng), key, randomKey(70, &rng)]))] {
            for offset in 0..<40 {
                for after in [0, 1, 7, 16, 33] {
                    let text = String(repeating: "ab", count: offset / 2) + (offset % 2 == 1 ? "c" : "") + key + String(repeating: "z", count: after)
                    let expected = text.replacingOccurrences(of: key, with: marker(key))
                    #expect(r.redact(text) == expected, "seed \(seed) length \(length) offset \(offset) after \(after)")
                }
            }
            // A near miss (last byte differs) is left alone.
            let near = String(key.dropLast()) + (key.last == "A" ? "B" : "A")
            #expect(r.redact("x \(near) y") == "x \(near) y", "seed \(seed)")
            }
        }
    }

    @Test("a key glued to a preceding letter is found by shape, hashing as the key alone")
    func gluedSK() {
        let sk = "sk-proj-Ab3dEf5hIj7lMn9pQr1tUv3xYz5B7d9F1h3J"
        let shapeOnly = Redactor()
        #expect(shapeOnly.redact("x\(sk)") == "x\(marker(sk))")
        #expect(shapeOnly.redact("token=abc\(sk)") == "token=abc\(marker(sk))")
        let random = "sk-Q2w3E4r5T6y7U8i9O0pAsDfGh"
        #expect(shapeOnly.redact("key\(random)") == "key\(marker(random))")
        for word in ["desk-reference-manual-for-all-engineers-2025", "task-management-system-for-everyone-at-scale",
                     "msk-0123456789abcdefghijklmnop", "risk-assessment-framework-version-two"] {
            #expect(shapeOnly.redact(word) == word, "\(word)")
        }
    }

    @Test("redact first, then clip: a key at the limit leaves no piece, and its hash is the whole key's")
    func keptRedactsBeforeClipping() {
        for prefix in [480, 490, 500, 505, 1_000, 1_015] {
            let text = String(repeating: "e", count: prefix) + geminiKey + " tail"
            let kept = redactor.kept(text, maxBytes: 512)
            #expect(kept.utf8.count <= 512)
            #expect(leakedPieces(of: geminiKey, in: kept).isEmpty, "prefix \(prefix): \(kept.suffix(40))")
            if prefix + marker(geminiKey).utf8.count <= 512 {
                #expect(kept.hasSuffix(marker(geminiKey)) || kept.contains(marker(geminiKey) + " "), "prefix \(prefix)")
            }
        }
    }

    @Test("the ECS JSON encoder replaces configured values in every string, short ones included")
    func jsonEncoder() {
        let encoder = ECSJSONEncoder(redactor: redactor)
        let record = LogRecord(
            timestampMicros: 1_795_907_289_382_331, level: .error, message: "upstream said \(groqKey)", logger: "vdm.proxy",
            instanceID: "i", sequence: 1, correlationID: nil, payload: nil,
            metadata: ["model": .string(proxyKey), "note": .string("k=\(plainKey)")])
        let line = encoder.encode(record)
        for key in [groqKey, proxyKey, plainKey] {
            #expect(leakedPieces(of: key, in: line).isEmpty, "\(line)")
            #expect(line.contains(marker(key)), "\(line)")
        }
        let console = ConsoleFormatter(redactor: redactor).format(record)
        #expect(leakedPieces(of: groqKey, in: console).isEmpty && console.contains(marker(groqKey)), "\(console)")
    }

    @Test("RequestMetrics.redacted redacts and clips every kept string")
    func requestMetrics() {
        var m = RequestMetrics(requestID: "r1", requestedModel: "openai:" + geminiKey, startMicros: 1)
        m.resolvedModel = String(repeating: "m", count: 250) + geminiKey
        m.error = "Upstream said: \(groqKey)"
        m.stopReason = plainKey
        let r = m.redacted(by: redactor)
        #expect(r.requestedModel == "openai:" + marker(geminiKey))
        #expect(r.resolvedModel.utf8.count <= RecordBounds.maxModelBytes)
        #expect(!r.resolvedModel.contains("AIzaSy"))
        #expect(r.error == "Upstream said: \(marker(groqKey))")
        #expect(r.stopReason == marker(plainKey))
        #expect(r.redacted(by: redactor) == r)
    }

    @Test("a stream split anywhere comes out as the whole text redacted")
    func streamSplitAnywhere() {
        let text = Array("event: error\ndata: {\"error\":{\"message\":\"bad \(groqKey) and \(geminiKey)\"}}\n\n".utf8)
        let whole = redactor.redactingValues(text)
        #expect(String(decoding: whole, as: UTF8.self).contains(marker(groqKey)))
        for cut in 0...text.count {
            for second in stride(from: cut, through: text.count, by: 7) {
                var stream = StreamRedactor(redactor: redactor)
                var out = stream.feed(Array(text[..<cut]))
                out += stream.feed(Array(text[cut..<second]))
                out += stream.feed(Array(text[second...]))
                out += stream.finish()
                #expect(out == whole, "cut at \(cut), \(second)")
            }
        }
    }

    @Test("a stream holds back only what may start a value")
    func streamHoldsBackOnlyPrefixes() {
        var stream = StreamRedactor(redactor: redactor)
        let event = Array("data: {\"type\":\"ping\"}\n\n".utf8)
        #expect(stream.feed(event) == event)
        let partial = Array("data: gsk_8fJ2".utf8)
        #expect(stream.feed(partial) == Array("data: ".utf8))
        #expect(stream.finish() == Array("gsk_8fJ2".utf8))
        var none = StreamRedactor(redactor: Redactor())
        #expect(none.feed(partial) == partial)
    }
}
