/// Replaces secrets in log text by `[redacted:<8 hex>]`, the first 8 hex chars of SHA-256 of the secret
/// value itself (see `SecretHash`), keeping the context around it:
///
///     sk-proj-AbC…                      → [redacted:1a2b3c4d]
///     Authorization: Bearer sk-proj-AbC… → Authorization: Bearer [redacted:1a2b3c4d]
///     "x-api-key": "sk-proj-AbC…"        → "x-api-key": "[redacted:1a2b3c4d]"
///
/// The same key hashes the same bare, after `Bearer`, in a header or in JSON: wherever a value starts
/// with an `sk-` key, the secret is exactly that key.
///
/// ## Rules (ASCII letters match in any case; "boundary" = start of text or a byte that is not an
/// ASCII letter or digit, so `task-…`, `disk-…`, `forbearer` never match, and non-ASCII text is a boundary)
///
/// 1. **Bare keys**: boundary, `sk-`, then ≥ 20 of `[A-Za-z0-9_-]` (the whole run is the secret).
///    Covers `sk-proj-…`, `sk-ant-api03-…`, `sk-svcacct-…`.
/// 2. **Bearer tokens**: boundary, `Bearer`, one or more spaces/tabs, then a token68
///    `[A-Za-z0-9._~+/-]+=*` (trailing `.` dropped when no `=` padding) of ≥ 16 chars that does not
///    read like prose: it must contain a digit or a symbol other than `-`/`_`, or mix upper and lower
///    case after the first letter of a `-`/`_`-separated part. So "Bearer of bad news", "bearer bonds",
///    "the bearer incomprehensibilities" and "bearer counter-revolutionary" are left alone, while
///    random, base64, hex and JWT tokens (digits, `.`, mixed case) are redacted.
/// 3. **Authorization headers**: boundary, `authorization` (also `Proxy-Authorization`), an optional
///    closing quote, spaces, `:` or `=`, spaces, an optional opening quote (quotes may be `\`-escaped),
///    then the value. If the value starts with a scheme word (letters) followed by blanks
///    (`Basic`, `Bearer`, `Token`, …) the credential after it is the secret, otherwise the whole value.
///    The secret needs ≥ 8 value chars and the same not-prose test as rule 2
///    ("authorization: insufficient permissions" stays).
/// 4. **API-key names**: boundary, `api_key` / `api-key` / `apikey` (hence `x-api-key`,
///    `OPENAI_API_KEY`), then the same separator syntax as rule 3 (`"api_key": "…"`,
///    `'api_key': '…'`, `api_key=…`, `x-api-key: …`, and Swift-NIO's `("x-api-key", "…")`),
///    then a value of ≥ 8 value chars. No prose test: a value under a key name is always treated as a secret.
///
/// Value chars are printable ASCII except blanks, quotes, `\` and `, ; & ( ) [ ] { } < >` and backtick,
/// so a value ends at the closing quote, `&` of a query, `,`/`}` of JSON, or whitespace; trailing
/// dots are dropped. Values and Bearer tokens also run through the JSON escape `\/` (as
/// Foundation's JSON writers print `/`), and the hash is taken over the unescaped text.
/// `[` is not a value char, so an already redacted `[redacted:xxxxxxxx]` is never matched again
/// and `redact` is idempotent. Only ASCII bytes are ever replaced, so valid UTF-8 stays valid.
///
/// 5. **Configured values**: every value in `secrets` (the configured provider keys and
///    `PROXY_API_KEY`, whatever their shape) wherever it occurs, glued to anything
///    (`ConfiguredSecrets`). The marker hashes the value itself, so it reads the same as when a
///    shape rule finds it. Configured values may contain any bytes; only they are replaced.
///
/// The configured values are fixed when the redactor is made (`vdm serve` makes one from the
/// configuration before any sink exists and hands the same value to every sink and route).
public struct Redactor: Sendable {
    /// The thresholds used by the rules above.
    enum Rules {
        /// Rule 1: key chars needed after `sk-`.
        static let minKeyCharsAfterSK = 20
        /// Rule 2: minimum length of a bare `Bearer` token.
        static let minBearerTokenLength = 16
        /// Rules 3 and 4: minimum length of a value under an `authorization` / API-key name.
        static let minNamedValueLength = 8

        static let markerPrefix: StaticString = "[redacted:"
        static let markerSuffix: UInt8 = 0x5D  // ]
    }

    /// The exact values rule 5 replaces.
    public let secrets: ConfiguredSecrets

    /// Shape rules only.
    public init() { secrets = .none }

    /// Shape rules and the exact `secrets`.
    public init(secrets: ConfiguredSecrets) { self.secrets = secrets }

    /// This redactor plus one more exact value (e.g. a client's own key forwarded to a passthrough
    /// provider, for the messages of that one request).
    /// A value already configured (every request to a keyed provider) returns this redactor as it is:
    /// rebuilding the same set per request cost allocations, a hash set and a sort on the request path.
    public func adding(_ secret: String) -> Redactor {
        guard ConfiguredSecrets.isMatchable(secret), !secrets.contains(secret) else { return self }
        return Redactor(secrets: ConfiguredSecrets(secrets.values.map { String(decoding: $0, as: UTF8.self) } + [secret]))
    }

    /// Returns the input unchanged (same String, no copy) when nothing secret-like is present.
    public func redact(_ text: String) -> String {
        if let result = text.utf8.withContiguousStorageIfAvailable({ redactedString($0) }) {
            return result ?? text
        }
        var contiguous = text
        contiguous.makeContiguousUTF8()
        let result: String?? = contiguous.utf8.withContiguousStorageIfAvailable { redactedString($0) }
        return (result ?? nil) ?? text
    }

    /// Fast check used on hot paths: true exactly when `redact(text)` would change `text`.
    /// Never allocates for native strings.
    public func mightContainSecret(_ text: String) -> Bool {
        if let found = text.utf8.withContiguousStorageIfAvailable({ containsSecret($0) }) {
            return found
        }
        var contiguous = text
        contiguous.makeContiguousUTF8()
        return contiguous.utf8.withContiguousStorageIfAvailable({ containsSecret($0) }) ?? false
    }

    /// Redacts UTF-8 bytes in place into `output` (appending); returns true if anything was replaced.
    /// Any bytes are accepted (invalid UTF-8 is copied through untouched); when nothing matches the
    /// input is appended as is.
    public func redact(_ bytes: UnsafeRawBufferPointer, into output: inout [UInt8]) -> Bool {
        let scanner = SecretScanner(bytes, values: secrets)
        guard let first = scanner.nextSecret(from: 0) else {
            output.append(contentsOf: bytes)
            return false
        }
        output.reserveCapacity(output.count + bytes.count + 32)
        scanner.redactAll(startingWith: first, into: &output)
        return true
    }

    private func containsSecret(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        SecretScanner(UnsafeRawBufferPointer(utf8), values: secrets).nextSecret(from: 0) != nil
    }

    /// nil when nothing matched (the caller returns its own String: no allocation on that path).
    private func redactedString(_ utf8: UnsafeBufferPointer<UInt8>) -> String? {
        let scanner = SecretScanner(UnsafeRawBufferPointer(utf8), values: secrets)
        guard let first = scanner.nextSecret(from: 0) else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(utf8.count + 32)
        scanner.redactAll(startingWith: first, into: &output)
        return String(decoding: output, as: UTF8.self)
    }
}

extension Redactor {
    /// `redact(text)` cut to at most `maxBytes` UTF-8 bytes: the one way a string enters a request's
    /// metrics (redact first, then clip, so a key cut at the limit cannot escape and hashes as whole).
    public func kept(_ text: String, maxBytes: Int) -> String {
        RecordBounds.clip(redact(text), toBytes: maxBytes)
    }

    /// `bytes` with every configured value (rule 5 only) replaced: for bodies relayed to a client,
    /// where the shape rules would rewrite legitimate content. Returns the input when nothing matched.
    public func redactingValues(_ bytes: [UInt8]) -> [UInt8] {
        valuesRedacted(bytes).bytes
    }

    /// `redactingValues(bytes)` and where in `bytes` the last match ended (0 when none): what
    /// follows is copied verbatim to the end of the result.
    func valuesRedacted(_ bytes: [UInt8]) -> (bytes: [UInt8], lastMatchEnd: Int) {
        guard !secrets.isEmpty else { return (bytes, 0) }
        return bytes.withUnsafeBytes { raw -> ([UInt8], Int) in
            guard let base = raw.baseAddress, var match = secrets.firstMatch(in: base, count: raw.count, from: 0) else { return (bytes, 0) }
            var out: [UInt8] = []
            out.reserveCapacity(raw.count + 32)
            var copied = 0
            while true {
                match = secrets.widen(match, in: base, count: raw.count, notBefore: copied)
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[copied..<match.lowerBound]))
                Self.appendMarker(of: UnsafeRawBufferPointer(rebasing: raw[match]), to: &out)
                copied = match.upperBound
                guard let next = secrets.firstMatch(in: base, count: raw.count, from: copied) else { break }
                match = next
            }
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[copied...]))
            return (out, copied)
        }
    }

    /// `[redacted:<8 hex>]` for the secret bytes `secret`.
    static func appendMarker(of secret: UnsafeRawBufferPointer, to output: inout [UInt8]) {
        let prefix = Rules.markerPrefix
        output.append(contentsOf: UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount))
        SecretHash.appendShortHex(of: secret, to: &output)
        output.append(Rules.markerSuffix)
    }
}
