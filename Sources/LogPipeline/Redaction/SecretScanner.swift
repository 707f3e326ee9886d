// The byte scanner behind `Redactor`. See `Redactor` for the rules; this file is how they run fast.
//
// Instead of trying every pattern at every position, a 16-bytes-at-a-time SIMD pass looks for four
// rare *anchors*, one of which every pattern contains (letters case-insensitively):
//
//   anchor        pattern it stands for                            where the anchor sits
//   `k` `-`       `sk-…` keys                                      the `k-` of `sk-`
//   `k` `e` `y`   `api_key` / `api-key` / `apikey` / `x-api-key`    the `key` of the name
//   `z`           `authorization` / `proxy-authorization`          the `z`
//   `r` `e` `r`   `Bearer`                                         the `rer` ending `bearer`
//
// Key-free log text has a couple of anchors per line (the `Z` of ISO timestamps, base62 ids), so
// nearly every 16-byte block costs three unaligned loads, seven byte compares and one not-taken
// branch. Each anchor found is then checked exactly by `verify(at:notBefore:)`, which is also what
// the tests run at every single position to prove the anchor pass loses nothing.

fileprivate typealias Bytes16 = SIMD16<UInt8>

/// Reads the bytes of one buffer; every index outside it reads as 0, which no rule treats as part of
/// a name or value (so no input can read out of bounds or trap).
struct SecretScanner {
    let base: UnsafeRawPointer?
    let count: Int
    /// Exact values matched besides the shape rules (see `ConfiguredSecrets`).
    let values: ConfiguredSecrets

    init(_ buffer: UnsafeRawBufferPointer, values: ConfiguredSecrets = .none) {
        base = buffer.baseAddress
        count = buffer.baseAddress == nil ? 0 : buffer.count
        self.values = values
    }

    // MARK: byte access and classes

    @inline(__always)
    func byte(_ i: Int) -> UInt8 {
        guard let base, i >= 0, i < count else { return 0 }
        return base.load(fromByteOffset: i, as: UInt8.self)
    }

    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }
    @inline(__always) static func isLetter(_ b: UInt8) -> Bool { (b | 0x20) &- 0x61 < 26 }
    @inline(__always) static func isUpper(_ b: UInt8) -> Bool { b &- 0x41 < 26 }
    @inline(__always) static func isAlnum(_ b: UInt8) -> Bool { isDigit(b) || isLetter(b) }
    @inline(__always) static func isBlank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }
    @inline(__always) static func isQuote(_ b: UInt8) -> Bool { b == 0x22 || b == 0x27 }

    /// `[A-Za-z0-9_-]`: the characters of an `sk-` key.
    @inline(__always) static func isKeyChar(_ b: UInt8) -> Bool {
        isAlnum(b) || b == 0x5F || b == 0x2D
    }

    /// RFC 6750 b64token characters `[A-Za-z0-9._~+/-]` (the trailing `=` are handled apart).
    @inline(__always) static func isToken68(_ b: UInt8) -> Bool {
        isKeyChar(b) || b == 0x2E || b == 0x7E || b == 0x2B || b == 0x2F
    }

    /// Characters of a header / JSON / query value: printable ASCII except blanks, quotes, backslash
    /// and the delimiters that end a value in the forms we read (`, ; & ( ) [ ] { } < >` and backtick).
    @inline(__always) static func isValueChar(_ b: UInt8) -> Bool {
        guard b > 0x20, b < 0x7F else { return false }
        switch b {
        case 0x22, 0x26, 0x27, 0x28, 0x29, 0x2C, 0x3B, 0x3C, 0x3E, 0x5B, 0x5C, 0x5D, 0x60, 0x7B, 0x7D:
            return false
        default:
            return true
        }
    }

    /// Whether `literal` (lowercase ASCII letters) is at `i`, ignoring the case of the input.
    @inline(__always)
    func hasFolded(_ literal: StaticString, at i: Int) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard i >= 0, i <= count &- n else { return false }
        let p = literal.utf8Start
        for k in 0..<n where byte(i &+ k) | 0x20 != p[k] {
            return false
        }
        return true
    }

    /// Length of the JSON escape `\/` at `i` (2), else 0. JSON writers such as Foundation's escape `/`
    /// this way, so a token or value containing `/` must run through it.
    @inline(__always)
    func escapedSlash(at i: Int) -> Int {
        byte(i) == 0x5C && byte(i &+ 1) == 0x2F ? 2 : 0
    }

    @inline(__always)
    func skipBlanks(_ i: Int) -> Int {
        var i = i
        while Self.isBlank(byte(i)) { i &+= 1 }
        return i
    }

    // MARK: the anchor pass

    /// Byte `j` is 0xFF where position `i + j` holds an anchor (exactly), for j in 0..<16; with
    /// `escapes`, also where byte `i + j` needs a JSON escape (`JSONBytes.needsEscape`'s set: controls,
    /// `"`, `\`, DEL), in the second vector. Needs `i + 18 <= count`. Written with vector-to-vector
    /// compares on a spelled-out `SIMD16<UInt8>`, which compile to plain SSE2 (`pcmpeqb`/`pand`/`por`/
    /// `movmskps`). Keep it so: `.==` against a scalar, or against an inferred `SIMD16(repeating:)`,
    /// picked the generic per-lane implementation (seen in the disassembly) and ran about 100x slower.
    @inline(__always)
    private func anchors16(_ base: UnsafeRawPointer, at i: Int, escapes: Bool) -> (anchors: SIMD2<UInt64>, escapes: SIMD2<UInt64>) {
        let fold = Bytes16(repeating: 0x20)
        let v0 = base.loadUnaligned(fromByteOffset: i, as: SIMD16<UInt8>.self)
        let v1 = base.loadUnaligned(fromByteOffset: i &+ 1, as: SIMD16<UInt8>.self)
        let f0 = v0 | fold
        let f1 = v1 | fold
        let f2 = base.loadUnaligned(fromByteOffset: i &+ 2, as: SIMD16<UInt8>.self) | fold
        let e1 = f1 .== Bytes16(repeating: 0x65)  // e
        let key =
            (f0 .== Bytes16(repeating: 0x6B))  // k
            .& ((v1 .== Bytes16(repeating: 0x2D)) .| (e1 .& (f2 .== Bytes16(repeating: 0x79))))  // -  |  e y
        let rer = (f0 .== Bytes16(repeating: 0x72)) .& e1 .& (f2 .== Bytes16(repeating: 0x72))  // r e r
        let all = key .| rer .| (f0 .== Bytes16(repeating: 0x7A))  // z
        guard escapes else { return (unsafeBitCast(all, to: SIMD2<UInt64>.self), SIMD2()) }
        let control = (v0 & Bytes16(repeating: 0xE0)) .== Bytes16(repeating: 0)
        let special = (v0 .== Bytes16(repeating: 0x22)) .| (v0 .== Bytes16(repeating: 0x5C)) .| (v0 .== Bytes16(repeating: 0x7F))
        return (unsafeBitCast(all, to: SIMD2<UInt64>.self), unsafeBitCast(control .| special, to: SIMD2<UInt64>.self))
    }

    /// The shortest text a rule can match: `apikey:` + 8 value chars.
    static let shortestMatch = 15

    /// The byte range of the first secret value whose whole pattern (name included) lies at or
    /// after `start`, or nil. Allocates nothing.
    func nextSecret(from start: Int) -> Range<Int>? {
        var escapes = false
        return withValues(scan(from: start, noting: false, escapes: &escapes), from: start)
    }

    /// `nextSecret(from: 0)`, noting on the way whether any byte needs a JSON escape, so the JSON
    /// encoder reads a secret-free string once instead of twice. `escapes` is meaningful only when
    /// nil is returned, and is true when the text was not read (too short to hold a secret).
    func firstSecret(escapes: inout Bool) -> Range<Int>? {
        withValues(scan(from: 0, noting: true, escapes: &escapes), from: 0)
    }

    /// The shortest text that can hold a secret, by shape or by configured value.
    var shortestMatch: Int { min(Self.shortestMatch, values.shortest) }

    /// The first of the shape match and the first configured value at or after `start`; when they
    /// overlap, one range covering both (and every other value overlapping it), so no piece escapes.
    /// A shape match starting where a configured value starts is that value (an `sk-` key glued to
    /// the letters after it reads as one longer key by shape): the marker then hashes the key itself.
    @inline(__always)
    private func withValues(_ shape: Range<Int>?, from start: Int) -> Range<Int>? {
        guard !values.isEmpty, let base, let value = values.firstMatch(in: base, count: count, from: max(start, 0)) else {
            return shape
        }
        var found = value
        if let shape {
            if shape.upperBound <= value.lowerBound { return shape }
            if value.upperBound > shape.lowerBound, shape.lowerBound != value.lowerBound {
                found = min(shape.lowerBound, value.lowerBound)..<max(shape.upperBound, value.upperBound)
            }
        }
        return values.widen(found, in: base, count: count, notBefore: max(start, 0))
    }

    @inline(__always)
    private func scan(from start: Int, noting noteEscapes: Bool, escapes: inout Bool) -> Range<Int>? {
        escapes = true
        guard let base else { return nil }
        var i = max(start, 0)
        // Most short fields end here.
        guard count &- i >= Self.shortestMatch else { return nil }
        guard count >= 18 else {
            // Too short for a vector step: check every position.
            while i < count {
                if let r = verify(at: i, notBefore: start) { return r }
                i &+= 1
            }
            return nil
        }
        var escaping = SIMD2<UInt64>()
        while true {
            // The last step overlaps the previous one so it ends exactly at `count - 2`; an anchor in
            // the last two bytes could never start a complete pattern anyway.
            let block = min(i, count &- 18)
            let (found, blockEscapes) = anchors16(base, at: block, escapes: noteEscapes)
            escaping |= blockEscapes
            if found[0] | found[1] != 0 {
                for half in 0..<2 {
                    var m = UInt64(littleEndian: found[half]) & 0x8080_8080_8080_8080
                    while m != 0 {
                        let p = block &+ half &* 8 &+ (m.trailingZeroBitCount &>> 3)
                        if p >= i, let r = verify(at: p, notBefore: start) { return r }
                        m &= m &- 1
                    }
                }
            }
            i = block &+ 16
            if i >= count &- 2 {
                if noteEscapes {
                    // The blocks covered every byte but the last two.
                    escapes = escaping[0] | escaping[1] != 0 || JSONBytes.needsEscape(byte(count &- 2)) || JSONBytes.needsEscape(byte(count &- 1))
                }
                return nil
            }
        }
    }

    // MARK: exact verification of one anchor

    /// Checks the anchor at `p` exactly and returns the secret value's range if a rule matches
    /// with its whole pattern at or after `lo`.
    func verify(at p: Int, notBefore lo: Int) -> Range<Int>? {
        switch byte(p) | 0x20 {
        case 0x6B:  // k
            let next = byte(p &+ 1)
            if next == 0x2D { return matchBareKey(sAt: p &- 1, notBefore: lo) }
            if next | 0x20 == 0x65, byte(p &+ 2) | 0x20 == 0x79 { return matchKeyName(keyAt: p, notBefore: lo) }
            return nil
        case 0x7A:  // z
            return matchAuthorization(zAt: p, notBefore: lo)
        case 0x72:  // r
            return matchBearer(rAt: p, notBefore: lo)
        default:
            return nil
        }
    }

    /// End of an `sk-` key starting at `s` (no boundary check), or nil if fewer than 20 key chars follow.
    @inline(__always)
    func skKeyEnd(at s: Int) -> Int? {
        guard byte(s) | 0x20 == 0x73, byte(s &+ 1) | 0x20 == 0x6B, byte(s &+ 2) == 0x2D else { return nil }
        var e = s &+ 3
        while Self.isKeyChar(byte(e)) { e &+= 1 }
        return e &- (s &+ 3) >= Redactor.Rules.minKeyCharsAfterSK ? e : nil
    }

    /// Rule 1: bare `sk-` + ≥ 20 `[A-Za-z0-9_-]`. Glued to a preceding letter or digit
    /// (`xsk-proj-…`, `key=abcsk-…`) it still matches when it reads like a real key rather than
    /// a word (`task-…`, `disk-…`): see `looksLikeGluedKey`.
    func matchBareKey(sAt s: Int, notBefore lo: Int) -> Range<Int>? {
        guard s >= lo, let e = skKeyEnd(at: s) else { return nil }
        guard !Self.isAlnum(byte(s &- 1)) || looksLikeGluedKey(s &+ 3..<e) else { return nil }
        return s..<e
    }

    /// After `sk-`: a provider key prefix (`proj-`, `ant-`, `svcacct-`, `admin-`, `or-`), or a run
    /// holding a digit, an upper- and a lower-case letter, as random key bodies do and identifiers
    /// like `desk-reference-manual-2025` or `msk-0123456789abcdef…` do not.
    func looksLikeGluedKey(_ r: Range<Int>) -> Bool {
        let b = r.lowerBound
        if hasFolded("proj-", at: b) || hasFolded("ant-", at: b) || hasFolded("svcacct-", at: b)
            || hasFolded("admin-", at: b) || hasFolded("or-", at: b) {
            return true
        }
        var digit = false
        var upper = false
        var lower = false
        for i in r {
            let c = byte(i)
            if Self.isDigit(c) { digit = true } else if Self.isUpper(c) { upper = true } else if Self.isLetter(c) { lower = true }
        }
        return digit && upper && lower
    }

    /// End of a header/JSON/query value starting at `v`: an `sk-` key if one starts there (so a key
    /// hashes the same in every context), else the run of value chars without trailing dots.
    func valueEnd(at v: Int) -> Int {
        if let e = skKeyEnd(at: v) { return e }
        var e = v
        while true {
            if Self.isValueChar(byte(e)) {
                e &+= 1
            } else if escapedSlash(at: e) != 0 {
                e &+= 2
            } else {
                break
            }
        }
        while e > v, byte(e &- 1) == 0x2E { e &-= 1 }
        return e
    }

    /// After a name ending just before `e`: optional closing quote (maybe `\`-escaped), blanks,
    /// `:` or `=` (or `,` in Swift-NIO's `("name", "value")` tuples), blanks, optional opening
    /// quote. Returns where the value starts.
    func valueStart(afterName e: Int, nameStart: Int) -> Int? {
        var i = e
        var quotedName = false
        if byte(i) == 0x5C, Self.isQuote(byte(i &+ 1)) {
            i &+= 2
            quotedName = true
        } else if Self.isQuote(byte(i)) {
            i &+= 1
            quotedName = true
        }
        i = skipBlanks(i)
        var valueMustBeQuoted = false
        switch byte(i) {
        case 0x3A, 0x3D:  // : =
            break
        case 0x2C where quotedName && byte(nameStart &- 1) == 0x22 && byte(nameStart &- 2) == 0x28:  // ("name",
            valueMustBeQuoted = true
        default:
            return nil
        }
        i = skipBlanks(i &+ 1)
        if byte(i) == 0x5C, Self.isQuote(byte(i &+ 1)) {
            i &+= 2
        } else if Self.isQuote(byte(i)) {
            i &+= 1
        } else if valueMustBeQuoted {
            return nil
        }
        return i
    }

    /// Rule 4: `api_key` / `api-key` / `apikey` (so also `x-api-key`, `OPENAI_API_KEY`) as a name
    /// followed by `:`/`=`, with a value of ≥ 8 value chars. `keyAt` is the `k` of `key`.
    func matchKeyName(keyAt k: Int, notBefore lo: Int) -> Range<Int>? {
        let sep = byte(k &- 1)
        let a = (sep == 0x5F || sep == 0x2D) ? k &- 4 : k &- 3  // the `a` of `api`
        guard a >= lo, hasFolded("api", at: a), !Self.isAlnum(byte(a &- 1)) else { return nil }
        // `x-api-key` starts two bytes earlier (only matters for the `("x-api-key", …)` tuple form).
        let nameStart = (byte(a &- 1) == 0x2D && byte(a &- 2) | 0x20 == 0x78) ? a &- 2 : a
        guard let v = valueStart(afterName: k &+ 3, nameStart: nameStart) else { return nil }
        let e = valueEnd(at: v)
        guard !isName(v..<e) else { return nil }
        return e &- v >= Redactor.Rules.minNamedValueLength ? v..<e : nil
    }

    /// A "value" that is itself the name of a field the named rules read — `x-api-key: Authorization:
    /// Basic …`, `("x-api-key","authorization":"…"` — is not the secret: the rule passes over it and
    /// the scan finds the field it names. Taking the name as the value had left the inner credential
    /// in clear (both found by the `redactor` fuzz target). A name: a run of `[A-Za-z0-9_-]` of at most
    /// `maxNameLength` bytes ending in `key` or `authorization`, followed by what `valueStart` accepts
    /// after a name. (Longer runs are values: a long token that happens to end in `key:` is the secret,
    /// and passing over it made a second redaction pass hide more than the first.)
    static let maxNameLength = 48

    func isName(_ r: Range<Int>) -> Bool {
        var e = r.lowerBound
        while Self.isKeyChar(byte(e)), e &- r.lowerBound <= Self.maxNameLength { e &+= 1 }
        guard e &- r.lowerBound >= 3, e &- r.lowerBound <= Self.maxNameLength else { return false }
        let named = hasFolded("key", at: e &- 3) || (e &- r.lowerBound >= 13 && hasFolded("authorization", at: e &- 13))
        return named && valueStart(afterName: e, nameStart: r.lowerBound) != nil
    }

    /// Rule 3: `authorization` / `proxy-authorization` as a name followed by `:`/`=`. With a scheme
    /// word (`Basic xxx`, `Bearer xxx`, …) the credential after it is the secret, else the whole
    /// value. The secret needs ≥ 8 chars and must not read like prose (`looksLikeSecret`).
    func matchAuthorization(zAt z: Int, notBefore lo: Int) -> Range<Int>? {
        let a = z &- 7
        guard a >= lo, hasFolded("authoriz", at: a), hasFolded("ation", at: z &+ 1),
            !Self.isAlnum(byte(a &- 1)),
            let v = valueStart(afterName: z &+ 6, nameStart: a)
        else { return nil }
        var w = v
        while Self.isLetter(byte(w)) { w &+= 1 }
        let s: Int
        let e: Int
        if w > v, Self.isBlank(byte(w)) {  // scheme word, then the credential
            s = skipBlanks(w)
            e = valueEnd(at: s)
        } else {
            s = v
            e = valueEnd(at: v)
        }
        guard !isName(s..<e), e &- s >= Redactor.Rules.minNamedValueLength, looksLikeSecret(s..<e) else { return nil }
        return s..<e
    }

    /// Rule 2: `Bearer` (any case, not preceded by a letter or digit), one or more blanks, then a
    /// token68 (`[A-Za-z0-9._~+/-]+=*`, trailing dots dropped) of ≥ 16 chars that does not read like
    /// prose. `rAt` is the first `r` of the `rer` ending `bearer`.
    func matchBearer(rAt r: Int, notBefore lo: Int) -> Range<Int>? {
        let b = r &- 3
        guard b >= lo, hasFolded("bearer", at: b), !Self.isAlnum(byte(b &- 1)), Self.isBlank(byte(r &+ 3))
        else { return nil }
        let s = skipBlanks(r &+ 3)
        if let e = skKeyEnd(at: s) { return s..<e }
        var e = s
        while true {
            if Self.isToken68(byte(e)) {
                e &+= 1
            } else if escapedSlash(at: e) != 0 {
                e &+= 2
            } else {
                break
            }
        }
        let core = e
        while byte(e) == 0x3D { e &+= 1 }
        if e == core {
            while e > s, byte(e &- 1) == 0x2E { e &-= 1 }
        }
        guard !isName(s..<e), e &- s >= Redactor.Rules.minBearerTokenLength, looksLikeSecret(s..<e) else { return nil }
        return s..<e
    }

    /// False for prose-like words: only letters, `-` and `_`, where in each `-`/`_`-separated part
    /// the letters after the first are all lowercase or all uppercase ("incomprehensibilities",
    /// "Well-Known", "NOT-A-TOKEN"). Anything with a digit, another symbol, or mixed case inside a
    /// part (as random tokens have) is secret-like.
    func looksLikeSecret(_ r: Range<Int>) -> Bool {
        var position = 0
        var sawLower = false
        var sawUpper = false
        for i in r {
            let c = byte(i)
            if c == 0x2D || c == 0x5F {
                position = 0
                sawLower = false
                sawUpper = false
                continue
            }
            guard Self.isLetter(c) else { return true }
            if position > 0 {
                if Self.isUpper(c) { sawUpper = true } else { sawLower = true }
                if sawLower && sawUpper { return true }
            }
            position &+= 1
        }
        return false
    }

    // MARK: rewriting

    /// The hash is over the secret as it was before JSON escaping (`\/` read as `/`), so a token
    /// hashes the same in a JSON sink as on the console.
    private func appendHash(of secret: Range<Int>, to output: inout [UInt8]) {
        guard let base else { return }
        var hasEscape = false
        for i in secret where byte(i) == 0x5C {
            hasEscape = true
            break
        }
        guard hasEscape else {
            SecretHash.appendShortHex(
                of: UnsafeRawBufferPointer(start: base + secret.lowerBound, count: secret.count), to: &output)
            return
        }
        var unescaped: [UInt8] = []
        unescaped.reserveCapacity(secret.count)
        var i = secret.lowerBound
        while i < secret.upperBound {
            if escapedSlash(at: i) != 0 {
                unescaped.append(0x2F)
                i &+= 2
            } else {
                unescaped.append(byte(i))
                i &+= 1
            }
        }
        unescaped.withUnsafeBytes { SecretHash.appendShortHex(of: $0, to: &output) }
    }

    /// Appends the whole buffer to `output` with every secret replaced; `first` is the first secret.
    func redactAll(startingWith first: Range<Int>, into output: inout [UInt8]) {
        guard let base else { return }
        var copied = 0
        var secret = first
        while true {
            output.append(contentsOf: UnsafeRawBufferPointer(start: base + copied, count: secret.lowerBound &- copied))
            let prefix = Redactor.Rules.markerPrefix
            output.append(contentsOf: UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount))
            appendHash(of: secret, to: &output)
            output.append(Redactor.Rules.markerSuffix)
            copied = secret.upperBound
            guard let next = nextSecret(from: copied) else { break }
            secret = next
        }
        output.append(contentsOf: UnsafeRawBufferPointer(start: base + copied, count: count &- copied))
    }
}
