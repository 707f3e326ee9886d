/// The exact secret values vdm was configured with (every `{P}_API_KEY`, `PROXY_API_KEY`), which the
/// redactor replaces wherever they occur, whatever their shape (`AIzaSy…`, `gsk_…`, a random token),
/// in addition to its shape rules.
///
/// Built once at start-up from the configuration, before any sink writes, and immutable afterwards
/// (a `let` in every `Redactor` copy). Matching is exact and case-sensitive. Values shorter than
/// `minimumLength` bytes are not matched by value: replacing every `x` or `test` in every log line
/// would destroy the logs, and such a value is not a secret worth the name (`vdm serve` says so at
/// start-up; see `ProviderRegistry`).
///
/// The search is the "first and last byte" filter: 16 positions at a time, a candidate needs the
/// value's first byte at its start and its last byte at its end; only candidates are compared whole.
/// With no values configured it costs one branch per string.
public struct ConfiguredSecrets: Sendable, Equatable {
    /// Shortest value matched by value: 8 bytes (the shape rules' shortest named value, too).
    public static let minimumLength = 8

    /// Deduplicated, longest first (at one position the longest value wins).
    let values: [[UInt8]]
    /// Length of the shortest value (Int.max when there are none), so short strings skip the search.
    let shortest: Int
    /// Length of the longest value (0 when there are none): what a stream must hold back.
    let longest: Int

    public static let none = ConfiguredSecrets([])

    /// Keeps every value of at least `minimumLength` bytes; shorter ones are dropped (see above).
    public init(_ secrets: [String]) {
        var seen = Set<[UInt8]>()
        var kept: [[UInt8]] = []
        for secret in secrets {
            let bytes = Array(secret.utf8)
            if bytes.count >= Self.minimumLength, seen.insert(bytes).inserted { kept.append(bytes) }
        }
        kept.sort { $0.count > $1.count || ($0.count == $1.count && $0.lexicographicallyPrecedes($1)) }
        values = kept
        shortest = kept.last?.count ?? Int.max
        longest = kept.first?.count ?? 0
    }

    public var isEmpty: Bool { values.isEmpty }
    public var count: Int { values.count }

    /// True when `value` is one of the configured values.
    public func contains(_ value: String) -> Bool {
        values.contains { $0.elementsEqual(value.utf8) }
    }

    /// True when `value` would be matched (long enough).
    public static func isMatchable(_ value: String) -> Bool { value.utf8.count >= minimumLength }

    /// The first occurrence of any value starting at or after `start`, in `base[0..<count]`.
    func firstMatch(in base: UnsafeRawPointer, count: Int, from start: Int) -> Range<Int>? {
        guard count &- start >= shortest else { return nil }
        var best: Range<Int>?
        for value in values {
            // Only an occurrence starting before the best so far can win.
            let before = best.map { $0.lowerBound } ?? count
            if let p = value.withUnsafeBytes({ Self.find($0, in: base, count: count, from: start, before: before) }) {
                best = p..<(p &+ value.count)
            }
        }
        return best
    }

    /// `range` grown by every occurrence (starting at or after `notBefore`) that overlaps it, so one
    /// marker hides all of them and no tail of a value is left behind.
    func widen(_ range: Range<Int>, in base: UnsafeRawPointer, count: Int, notBefore: Int) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.upperBound
        var from = max(notBefore, lower &- longest &+ 1)
        while let m = firstMatch(in: base, count: count, from: from), m.lowerBound < upper {
            if m.upperBound > lower {
                lower = min(lower, m.lowerBound)
                upper = max(upper, m.upperBound)
            }
            from = m.lowerBound &+ 1
        }
        return lower..<upper
    }

    /// Length of the longest suffix of `bytes` that is a proper prefix of a value: the bytes a stream
    /// must hold back until it knows whether a value is being spelled out across chunks.
    func pendingPrefixLength(_ bytes: UnsafeRawBufferPointer) -> Int {
        var held = 0
        for value in values {
            var k = min(value.count &- 1, bytes.count)
            while k > held {
                if value.withUnsafeBytes({ v in (0..<k).allSatisfy { v[$0] == bytes[bytes.count &- k &+ $0] } }) {
                    held = k
                    break
                }
                k &-= 1
            }
        }
        return held
    }

    /// First position p in `start..<before` where `needle` occurs in `base[0..<count]`.
    private static func find(_ needle: UnsafeRawBufferPointer, in base: UnsafeRawPointer, count: Int, from start: Int, before: Int) -> Int? {
        let n = needle.count
        guard n > 0, let np = needle.baseAddress else { return nil }
        // Last position an occurrence can start at.
        let last = min(count &- n, before &- 1)
        guard last >= start else { return nil }
        let firstByte = np.load(as: UInt8.self)
        let lastByte = np.load(fromByteOffset: n &- 1, as: UInt8.self)
        var i = start
        // A block checks starts i…i+15; its second load reads up to i + 15 + n ≤ count.
        if last &- start >= 15 {
            let f = SIMD16<UInt8>(repeating: firstByte)
            let l = SIMD16<UInt8>(repeating: lastByte)
            while i &+ 15 <= last {
                let a = base.loadUnaligned(fromByteOffset: i, as: SIMD16<UInt8>.self)
                let b = base.loadUnaligned(fromByteOffset: i &+ n &- 1, as: SIMD16<UInt8>.self)
                let hits = unsafeBitCast((a .== f) .& (b .== l), to: SIMD2<UInt64>.self)
                if hits[0] | hits[1] != 0 {
                    for half in 0..<2 {
                        var m = UInt64(littleEndian: hits[half]) & 0x8080_8080_8080_8080
                        while m != 0 {
                            let p = i &+ half &* 8 &+ (m.trailingZeroBitCount &>> 3)
                            if equal(needle, base, at: p) { return p }
                            m &= m &- 1
                        }
                    }
                }
                i &+= 16
            }
        }
        while i <= last {
            if base.load(fromByteOffset: i, as: UInt8.self) == firstByte, equal(needle, base, at: i) { return i }
            i &+= 1
        }
        return nil
    }

    @inline(__always)
    private static func equal(_ needle: UnsafeRawBufferPointer, _ base: UnsafeRawPointer, at p: Int) -> Bool {
        for k in 0..<needle.count where needle[k] != base.load(fromByteOffset: p &+ k, as: UInt8.self) {
            return false
        }
        return true
    }
}
