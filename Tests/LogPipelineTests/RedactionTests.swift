import Testing
@testable import LogPipeline

/// `[redacted:<hash of secret>]`
private func marker(_ secret: String) -> String { "[redacted:\(SecretHash.short(secret))]" }

private let projKey = "sk-proj-Ab3dEf5hIj7lMn9pQr1tUv3xYz5B7d9F1h3J"
private let antKey = "sk-ant-api03-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe-AbCdEfGh_IjKl"
private let svcKey = "sk-svcacct-0123456789abcdefABCDEF_-xyz"
private let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
private let basic = "dXNlcjpwYXNzd29yZA=="
private let plainKey = "a1b2c3d4e5f6g7h8"

/// (input, expected output) for text that holds secrets.
private let positives: [(String, String)] = [
    // bare keys
    ("using key \(projKey) now", "using key \(marker(projKey)) now"),
    ("anthropic \(antKey)", "anthropic \(marker(antKey))"),
    ("svc=\(svcKey);", "svc=\(marker(svcKey));"),
    ("\(projKey) at the start", "\(marker(projKey)) at the start"),
    ("at the end \(projKey)", "at the end \(marker(projKey))"),
    ("followed by punctuation: \(projKey). Done!", "followed by punctuation: \(marker(projKey)). Done!"),
    ("(\(projKey)), '\(antKey)'", "(\(marker(projKey))), '\(marker(antKey))'"),
    ("SK-ABCDEFGHIJKLMNOPQRSTUV12 upper case", "\(marker("SK-ABCDEFGHIJKLMNOPQRSTUV12")) upper case"),
    ("sk-" + String(repeating: "a", count: 20), marker("sk-" + String(repeating: "a", count: 20))),
    ("clé:\(projKey) — 密钥\(antKey)", "clé:\(marker(projKey)) — 密钥\(marker(antKey))"),
    // Bearer
    ("Bearer \(projKey)", "Bearer \(marker(projKey))"),
    ("sent bearer\t\t\(jwt) upstream", "sent bearer\t\t\(marker(jwt)) upstream"),
    ("BEARER   \(basic)", "BEARER   \(marker(basic))"),
    ("use Bearer Abc123Def456Ghi789. Then retry", "use Bearer \(marker("Abc123Def456Ghi789")). Then retry"),
    // Authorization
    ("Authorization: Bearer \(jwt)", "Authorization: Bearer \(marker(jwt))"),
    ("authorization: Basic \(basic)", "authorization: Basic \(marker(basic))"),
    ("AUTHORIZATION=\(plainKey)", "AUTHORIZATION=\(marker(plainKey))"),
    ("Proxy-Authorization: Basic \(basic)\r\n", "Proxy-Authorization: Basic \(marker(basic))\r\n"),
    ("{\"authorization\": \"Bearer \(antKey)\"}", "{\"authorization\": \"Bearer \(marker(antKey))\"}"),
    // x-api-key
    ("x-api-key: \(antKey)", "x-api-key: \(marker(antKey))"),
    ("X-API-KEY:\(plainKey)", "X-API-KEY:\(marker(plainKey))"),
    ("x-api-key=\(plainKey)&x=1", "x-api-key=\(marker(plainKey))&x=1"),
    ("{\"x-api-key\": \"\(projKey)\"}", "{\"x-api-key\": \"\(marker(projKey))\"}"),
    ("headers: [(\"x-api-key\", \"\(antKey)\"), (\"accept\", \"*/*\")]",
     "headers: [(\"x-api-key\", \"\(marker(antKey))\"), (\"accept\", \"*/*\")]"),
    // api_key family
    ("{\"api_key\": \"\(plainKey)\"}", "{\"api_key\": \"\(marker(plainKey))\"}"),
    ("{\"API-KEY\":\"\(plainKey)\"}", "{\"API-KEY\":\"\(marker(plainKey))\"}"),
    ("{\"apikey\" : \"\(plainKey)\"}", "{\"apikey\" : \"\(marker(plainKey))\"}"),
    ("config {'api_key': '\(projKey)', 'timeout': 30}", "config {'api_key': '\(marker(projKey))', 'timeout': 30}"),
    ("GET /v1/models?api_key=\(plainKey)&limit=5", "GET /v1/models?api_key=\(marker(plainKey))&limit=5"),
    ("OPENAI_API_KEY=\(projKey) ANTHROPIC_API_KEY=\(antKey)",
     "OPENAI_API_KEY=\(marker(projKey)) ANTHROPIC_API_KEY=\(marker(antKey))"),
    ("api_key: hunter2hunter2", "api_key: \(marker("hunter2hunter2"))"),
    ("apikey:abcdefgh", "apikey:\(marker("abcdefgh"))"),  // the shortest possible match (15 bytes)
    // JSON inside a JSON string (escaped quotes)
    ("{\"message\":\"body {\\\"api_key\\\": \\\"\(projKey)\\\", \\\"model\\\": \\\"gpt-4o\\\"}\"}",
     "{\"message\":\"body {\\\"api_key\\\": \\\"\(marker(projKey))\\\", \\\"model\\\": \\\"gpt-4o\\\"}\"}"),
    // JSON writers that escape `/`: the token runs through `\/` and hashes as unescaped
    ("{\"authorization\":\"Basic dXNlcjpw\\/YXNzd29yZA==\"}",
     "{\"authorization\":\"Basic \(marker("dXNlcjpw/YXNzd29yZA=="))\"}"),
    ("{\"msg\":\"sent Bearer ab12\\/cd34+ef56\\/gh78==\"}", "{\"msg\":\"sent Bearer \(marker("ab12/cd34+ef56/gh78=="))\"}"),
    // several in one line
    ("a \(projKey) b Bearer \(jwt) c x-api-key: \(antKey) d \"api_key\":\"\(plainKey)\"",
     "a \(marker(projKey)) b Bearer \(marker(jwt)) c x-api-key: \(marker(antKey)) d \"api_key\":\"\(marker(plainKey))\""),
]

/// Text that must come back unchanged.
private let negatives: [String] = [
    "task-management-system-for-everyone-at-scale",
    "risk-free-investment-opportunities-abound-here",
    "disk-usage-monitoring-alerts-enabled-for-all",
    "desk-reference-manual-for-all-engineers-2025",
    "ask-me-anything-about-the-weather-today-please",
    "msk-0123456789abcdefghijklmnop",
    "key sk-short is too short",
    "sk-" + String(repeating: "a", count: 19),
    "sk-ant- and sk-proj- alone",
    "the bearer of this letter is a friend",
    "Bearer of bad news",
    "bearer bonds are a relic of the past",
    "the Bearer incomprehensibilities abound",
    "a bearer counter-revolutionary-movement",
    "token_type is bearer",
    "WWW-Authenticate: Bearer realm=\"api\", error=\"invalid_token\"",
    "Authorization: Bearer short",
    "api_key_hash: sha256:0123456789abcdef0123456789abcdef",
    "authorization was denied for this request",
    "Authorization: insufficient permissions",
    "authorizationHeader=present",
    "x-api-key header missing",
    "x-api-key: ${OPENAI_API_KEY}",
    "api_key: null",
    "api_key=short",
    "apikey:abcdefg",
    "apikeys: 3 configured",
    "the api key was rotated yesterday",
    "https://api.openai.com/v1/chat/completions?model=gpt-4o&stream=true",
    "{\"model\":\"claude-3-5-sonnet-20241022\",\"max_tokens\":1024,\"stream\":true,\"keys\":[\"a\",\"b\"]}",
    "{\"@timestamp\":\"2025-11-28T23:41:07.123456Z\",\"trace.id\":\"4bf92f3577b34da6a3ce929d0e0e4736\"}",
    "took 1234567890123456789012345678901234567890 ms",
    "日本語のテキスト — naïve café résumé 🚀 zaz",
    "already [redacted:1a2b3c4d] here",
    "Bearer [redacted:1a2b3c4d]",
    "x-api-key: [redacted:1a2b3c4d]",
    "{\"api_key\": \"[redacted:1a2b3c4d]\"}",
    "Authorization: Basic [redacted:1a2b3c4d]",
    "",
    "k",
    "sk-",
    "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",
    "rererererererererererererererererererer keykeykeykey k-k-k-k-k-k-k-k-",
]

@Suite("Redactor rules")
struct RedactionTests {
    let redactor = Redactor()

    @Test("redacts secrets, keeping the context", arguments: positives.indices)
    func positive(_ index: Int) {
        let (input, expected) = positives[index]
        let output = redactor.redact(input)
        #expect(output == expected, "input: \(input)")
        #expect(redactor.mightContainSecret(input))
        // idempotent: the output contains no further match
        #expect(redactor.redact(output) == output)
        #expect(!redactor.mightContainSecret(output))
        // the bytes API agrees and reports the change
        var bytes: [UInt8] = Array("prefix|".utf8)
        let changed = Array(input.utf8).withUnsafeBytes { redactor.redact($0, into: &bytes) }
        #expect(changed)
        #expect(bytes == Array(("prefix|" + expected).utf8))
        // the encoder's path sees the redacted bytes too
        #expect(Self.jsonValue(input) == Self.jsonEscaped(expected))
    }

    @Test("leaves ordinary text alone", arguments: negatives.indices)
    func negative(_ index: Int) {
        let input = negatives[index]
        #expect(redactor.redact(input) == input, "input: \(input)")
        #expect(!redactor.mightContainSecret(input), "input: \(input)")
        var bytes: [UInt8] = [0x41]
        let changed = Array(input.utf8).withUnsafeBytes { redactor.redact($0, into: &bytes) }
        #expect(!changed)
        #expect(bytes == [0x41] + Array(input.utf8))
        #expect(Self.jsonValue(input) == Self.jsonEscaped(input))
    }

    /// What the JSON encoder writes for `text` (redacted and escaped in one scan).
    static func jsonValue(_ text: String) -> [UInt8] {
        withLineBuffer { line in
            line.withCursor { Redactor().writeJSONString(text, to: &$0) }
            return Array(line.bytes)
        }
    }

    static func jsonEscaped(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        JSONBytes.appendString(text, to: &out)
        return out
    }

    @Test func tablesAreLargeEnough() {
        #expect(positives.count >= 25)
        #expect(negatives.count >= 25)
    }

    @Test("the same key hashes the same in every context")
    func sameHashEverywhere() {
        let key = antKey
        let forms = [
            "bare \(key) text", "Bearer \(key)", "Authorization: Bearer \(key)", "x-api-key: \(key)",
            "{\"x-api-key\":\"\(key)\"}", "{\"api_key\": \"\(key)\"}", "{'api_key': '\(key)'}", "api_key=\(key)&a=b",
            "ANTHROPIC_API_KEY=\(key)", "(\"x-api-key\", \"\(key)\")", "{\\\"api_key\\\": \\\"\(key)\\\"}",
        ]
        let expected = SecretHash.short(key)
        for form in forms {
            let out = redactor.redact(form)
            #expect(out.contains("[redacted:\(expected)]"), "form: \(form) -> \(out)")
            #expect(!out.contains("sk-ant"), "form: \(form) -> \(out)")
        }
    }

    @Test("SecretHash is the first 8 hex chars of SHA-256")
    func secretHash() {
        // SHA-256("abc") = ba7816bf 8f01cfea 414140de 5dae2223 b00361a3 96177a9c b410ff61 f20015ad
        #expect(SecretHash.short("abc") == "ba7816bf")
        #expect(SecretHash.short("xabcx".dropFirst().dropLast()) == "ba7816bf")
        #expect(SecretHash.short(bytes: [0x61, 0x62, 0x63]) == "ba7816bf")
        #expect(SecretHash.short(bytes: Array("abc".utf8).lazy.map { $0 }) == "ba7816bf")
        // SHA-256("") = e3b0c442…
        #expect(SecretHash.short("") == "e3b0c442")
        #expect(redactor.redact(projKey) == "[redacted:\(SecretHash.short(projKey))]")
    }

    @Test("no match returns the same string storage")
    func noCopyWhenClean() {
        let text = String(repeating: "an ordinary log line with no secrets at all; ", count: 40)
        let result = redactor.redact(text)
        #expect(result == text)
        let a = text.utf8.withContiguousStorageIfAvailable { UInt(bitPattern: $0.baseAddress) }
        let b = result.utf8.withContiguousStorageIfAvailable { UInt(bitPattern: $0.baseAddress) }
        #expect(a != nil && a == b)
    }

    @Test("very long lines")
    func longLines() {
        let filler = String(repeating: "lorem ipsum dolor sit amet, task-risk-disk bearer of news; ", count: 20_000)
        let unchanged = redactor.redact(filler) == filler
        #expect(unchanged)
        let line = filler + projKey + " " + filler + "Bearer " + jwt
        let out = redactor.redact(line)
        let expected = filler + marker(projKey) + " " + filler + "Bearer " + marker(jwt)
        let same = out == expected  // (not inside #expect: a failure would print megabytes)
        #expect(same)
    }

    @Test("a key split across every position of a vector block is found")
    func everyAlignment() {
        for pad in 0..<40 {
            let prefix = String(repeating: ".", count: pad)
            for (input, expected) in [
                (prefix + projKey, prefix + marker(projKey)),
                (prefix + "Authorization: Basic " + basic, prefix + "Authorization: Basic " + marker(basic)),
                (prefix + "x-api-key:" + plainKey, prefix + "x-api-key:" + marker(plainKey)),
                (prefix + "bearer " + jwt, prefix + "bearer " + marker(jwt)),
            ] {
                #expect(redactor.redact(input) == expected, "pad \(pad)")
            }
        }
    }

    @Test("empty input and substrings")
    func emptyAndSubstrings() {
        #expect(redactor.redact("") == "")
        let s = "xx \(projKey) yy"
        #expect(redactor.redact(String(s.dropFirst())) == "x \(marker(projKey)) yy")
        var out: [UInt8] = []
        #expect(!redactor.redact(UnsafeRawBufferPointer(start: nil, count: 0), into: &out))
        #expect(out.isEmpty)
    }
}
