import LogPipeline

/// `Redactor` properties on arbitrary bytes:
/// 1. redacting twice equals redacting once;
/// 2. the output is never longer than `Redactor.maxOutputLength(forInputLength:)`;
/// 3. `mightContainSecret` is true exactly when `redact` changes the text (valid UTF-8 inputs);
/// 4. a key of each shape planted in the input, between delimiters, is always caught: its secret
///    part is gone from the output, whatever the bytes around it (see `delimitersBefore`).
enum RedactorFuzz {
    /// The fixed 20-character core of every planted secret (random-looking, so it is never prose and
    /// never a key name). It is removed from the surrounding bytes first, so finding it in the output
    /// can only mean the planted key leaked.
    static let core = Array("Zq8Kx3Vb7Np2Lm9Rt4Wy".utf8)

    /// The key shapes of `Redactor`'s rules, each with where the secret goes.
    static let shapes: [(before: String, after: String)] = [
        ("sk-proj-", ""),  // rule 1
        ("sk-ant-api03-", ""),  // rule 1
        ("Bearer ", ""),  // rule 2
        ("Authorization: Basic ", ""),  // rule 3, scheme word
        ("\"authorization\":\"", "\""),  // rule 3, JSON
        ("Proxy-Authorization=", ""),  // rule 3
        ("x-api-key: ", ""),  // rule 4
        ("\"api_key\": \"", "\""),  // rule 4, JSON
        ("OPENAI_API_KEY=", ""),  // rule 4
        ("(\"x-api-key\", \"", "\")"),  // rule 4, Swift-NIO header tuple
    ]

    /// Bytes that end whatever came before a planted key and after it (none is a letter or digit,
    /// none a key, token or value character).
    static let delimiters = Array(" \n\t\r\",;(){}[]<>&".utf8)
    /// Before the key: any delimiter. (Blanks and quotes once let a named value take the planted
    /// key's own name as its value — `x-api-key: Authorization: Basic SECRET` — see `SecretScanner.isName`.)
    static let delimitersBefore = delimiters

    static func run(_ data: [UInt8]) throws(FuzzViolation) {
        let redactor = Redactor()
        let once = redact(redactor, data)
        let twice = redact(redactor, once)
        guard once == twice else {
            throw FuzzViolation("not idempotent: \(quoted(data)) → \(quoted(once)) → \(quoted(twice))")
        }
        let bound = Redactor.maxOutputLength(forInputLength: data.count)
        guard once.count <= bound else {
            throw FuzzViolation("\(data.count) bytes grew to \(once.count), over the bound \(bound)")
        }
        if let text = String(validating: data, as: UTF8.self) {
            let changed = redactor.redact(text) != text
            guard redactor.mightContainSecret(text) == changed else {
                throw FuzzViolation("mightContainSecret disagrees with redact (changed: \(changed)) on \(quoted(data))")
            }
        }
        try planted(redactor, data)
    }

    /// The input's first three bytes pick the shape, the delimiters and where the input is cut; the
    /// key goes into the cut, its secret made of the core plus a tail taken from the input.
    private static func planted(_ redactor: Redactor, _ data: [UInt8]) throws(FuzzViolation) {
        guard data.count >= 3 else { return }
        let shape = shapes[Int(data[0]) % shapes.count]
        let before = delimitersBefore[Int(data[1]) % delimitersBefore.count]
        let after = delimiters[Int(data[1] / 16) % delimiters.count]
        var rest = withoutCore(Array(data[3...]))
        let cut = rest.isEmpty ? 0 : Int(data[2]) % (rest.count + 1)
        let tail = rest.prefix(12).map { alphanumerics[Int($0) % alphanumerics.count] }
        let secret = core + tail
        let key = Array(shape.before.utf8) + secret + Array(shape.after.utf8)
        rest.insert(contentsOf: [before] + key + [after], at: cut)
        let out = redact(redactor, rest)
        if out.firstRange(of: core) != nil {
            throw FuzzViolation("planted \(quoted(key)) leaked: \(quoted(rest)) → \(quoted(out))")
        }
    }

    private static let alphanumerics = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".utf8)

    /// `bytes` with every occurrence of `core` taken out (repeatedly, as a removal can join a new one).
    private static func withoutCore(_ bytes: [UInt8]) -> [UInt8] {
        var out = bytes
        while let range = out.firstRange(of: core) { out.removeSubrange(range) }
        return out
    }

    private static func redact(_ redactor: Redactor, _ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        _ = bytes.withUnsafeBytes { redactor.redact($0, into: &out) }
        return out
    }

    static func quoted(_ bytes: [UInt8]) -> String {
        String(reflecting: String(decoding: bytes.prefix(300), as: UTF8.self))
    }
}
