import Testing
@testable import LogPipeline

/// Secrets as found by the vector anchor search.
private func fastSecrets(_ bytes: [UInt8]) -> [Range<Int>] {
    bytes.withUnsafeBytes { raw in
        let scanner = SecretScanner(raw)
        var found: [Range<Int>] = []
        var from = 0
        while let r = scanner.nextSecret(from: from) {
            found.append(r)
            from = r.upperBound
        }
        return found
    }
}

/// Reference: the same rules tried at every byte position, no anchors, no vectors.
private func referenceSecrets(_ bytes: [UInt8]) -> [Range<Int>] {
    bytes.withUnsafeBytes { raw in
        let scanner = SecretScanner(raw)
        var found: [Range<Int>] = []
        var from = 0
        var p = 0
        while p < raw.count {
            if let r = scanner.verify(at: p, notBefore: from) {
                found.append(r)
                from = r.upperBound
                p = from
            } else {
                p += 1
            }
        }
        return found
    }
}

private let fragments: [[UInt8]] = [
    "sk-", "SK-", "sk", "k-", "proj-", "ant-api03-", "Bearer", "bearer", "BEARER", "rer", " ", "  ", "\t", "\n",
    "api", "API", "_", "-", "key", "KEY", "x-", "apikey", "authorization", "Authorization", "Proxy-", "author",
    "ization", "Basic ", ":", "=", "==", "\"", "'", "\\", "\\/", "(", ")", ",", ".", "&", "[redacted:1a2b3c4d]", "[",
    "abcdefghij", "0123456789", "AbCdEfGhIj", "Zz", "task", "é", "密钥", "🚀",
].map { Array($0.utf8) } + [[0xFF], [0xC3], [0x80], [0x00], [0xE2, 0x82]]

/// Concatenations of fragments that look like the patterns, so matches, near misses and
/// overlaps are common (random bytes alone almost never match).
private func soup(_ rng: inout SplitMix64) -> [UInt8] {
    var out: [UInt8] = []
    for _ in 0..<(1 + rng.below(40)) {
        out += fragments[rng.below(fragments.count)]
        if rng.below(8) == 0 {  // sometimes a long key-char run
            for _ in 0..<rng.below(30) { out.append(Array("aZ09_-".utf8)[rng.below(6)]) }
        }
    }
    return out
}

@Suite("Redactor fuzz")
struct RedactionFuzzTests {
    let redactor = Redactor()

    /// Checks every property on one input; returns a description of the first failure.
    func check(_ bytes: [UInt8]) -> String? {
        var out: [UInt8] = []
        let changed = bytes.withUnsafeBytes { redactor.redact($0, into: &out) }
        if !changed && out != bytes { return "unchanged input was altered" }
        if changed && out == bytes { return "reported a change but output equals input" }
        var again: [UInt8] = []
        if out.withUnsafeBytes({ redactor.redact($0, into: &again) }) || again != out {
            return "not idempotent: \(String(decoding: out, as: UTF8.self))"
        }
        if String(validating: bytes, as: UTF8.self) != nil, String(validating: out, as: UTF8.self) == nil {
            return "valid UTF-8 became invalid"
        }
        let fast = fastSecrets(bytes)
        let reference = referenceSecrets(bytes)
        if fast != reference { return "anchor search \(fast) != every-position reference \(reference)" }
        if changed != !fast.isEmpty { return "changed flag disagrees with matches" }
        if let f = checkEncoderPath(bytes, redacted: out, firstSecret: fast.first) { return f }
        if let text = String(validating: bytes, as: UTF8.self) {
            let redacted = redactor.redact(text)
            if Array(redacted.utf8) != out { return "String and bytes APIs disagree" }
            if redactor.mightContainSecret(text) != changed { return "mightContainSecret disagrees" }
        }
        return nil
    }

    /// The JSON encoder redacts and notes escapes in one scan: its output must be exactly the
    /// redacted bytes, escaped.
    func checkEncoderPath(_ bytes: [UInt8], redacted: [UInt8], firstSecret: Range<Int>?) -> String? {
        let viaEncoder = withLineBuffer { line in
            bytes.withUnsafeBytes { raw in line.withCursor { Redactor().writeJSONString(raw, to: &$0) } }
            return Array(line.bytes)
        }
        let reference = withLineBuffer { line in
            redacted.withUnsafeBytes { raw in line.withCursor { $0.writeJSONString(raw) } }
            return Array(line.bytes)
        }
        if viaEncoder != reference { return "encoder path wrote \(viaEncoder), not \(reference)" }
        var escapes = true
        let first = bytes.withUnsafeBytes { SecretScanner($0).firstSecret(escapes: &escapes) }
        if first != firstSecret { return "firstSecret \(String(describing: first)) != nextSecret \(String(describing: firstSecret))" }
        if first == nil, !escapes, bytes.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0x7F }) { return "an escape went unnoticed" }
        return nil
    }

    @Test("one escape at every position of clean text, secret or not: the encoder's one-scan path")
    func escapeAtEveryPosition() {
        var failures: [String] = []
        let specials: [UInt8] = [0x22, 0x5C, 0x0A, 0x00, 0x1F, 0x7F]
        for prefix in ["", "key sk-proj-abcdefghijklmnopqrstuvwx "] {
            for length in 0..<70 {
                for position in 0..<max(length, 1) {
                    for special in specials {
                        var bytes = Array(prefix.utf8) + (0..<length).map { UInt8(97 + $0 % 26) }
                        if length > 0 { bytes[prefix.utf8.count + position] = special }
                        var out: [UInt8] = []
                        _ = bytes.withUnsafeBytes { redactor.redact($0, into: &out) }
                        if let f = checkEncoderPath(bytes, redacted: out, firstSecret: fastSecrets(bytes).first) {
                            failures.append("\(length)/\(position)/\(special): \(f)")
                        }
                    }
                }
            }
        }
        let clean = failures.isEmpty
        #expect(clean, "\(failures.count) failures, first: \(failures.first ?? "")")
    }

    @Test("random bytes, invalid UTF-8 included, never crash and keep every property")
    func randomBytes() {
        var rng = SplitMix64(state: 0x5EED)
        var failures: [String] = []
        for _ in 0..<4000 {
            let bytes = (0..<rng.below(200)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            if let f = check(bytes) { failures.append("\(bytes): \(f)") }
        }
        let clean = failures.isEmpty  // (not inside #expect, which would print every failure)
        #expect(clean, "\(failures.count) failures, first: \(failures.first ?? "")")
    }

    @Test("pattern soup: anchor search equals the reference, idempotent, valid output")
    func patternSoup() {
        var rng = SplitMix64(state: 42)
        var failures: [String] = []
        var matched = 0
        for _ in 0..<20_000 {
            let bytes = soup(&rng)
            if !fastSecrets(bytes).isEmpty { matched += 1 }
            if let f = check(bytes) { failures.append("\(String(decoding: bytes, as: UTF8.self)): \(f)") }
        }
        let clean = failures.isEmpty  // (not inside #expect, which would print every failure)
        #expect(clean, "\(failures.count) failures, first: \(failures.first ?? "")")
        #expect(matched > 1000, "the soup should exercise matches (got \(matched))")
    }

    @Test("byte-class helpers agree with their definitions")
    func byteClasses() {
        for b in 0...255 {
            let c = UInt8(b)
            let scalar = Character(Unicode.Scalar(c))
            let ascii = b < 0x80
            #expect(SecretScanner.isAlnum(c) == (ascii && (scalar.isLetter || scalar.isNumber)))
            #expect(SecretScanner.isKeyChar(c) == (SecretScanner.isAlnum(c) || c == 0x5F || c == 0x2D))
            let valueExcluded = Set(#" "'\,;&()[]{}<>`"#.utf8)
            #expect(SecretScanner.isValueChar(c) == (b > 0x20 && b < 0x7F && !valueExcluded.contains(c)))
        }
    }
}
