/// The one JSON reader (RFC 8259, strict): validating token scanners over a borrowed buffer. Replay's
/// record parser reads log lines with it (its hot path), and the proxy builds request and reply
/// documents (`JSONValue.parse`) and scans the passthrough body (`JSONTopLevel`) with it.
///
/// Hand-written rather than `JSONSerialization`/`Codable` because replay must read hundreds of MB/s
/// and classify broken input precisely (malformed JSON vs invalid UTF-8 vs binary garbage) instead
/// of failing the whole file. Every index is checked against `end` before it is read, so no input
/// can make a scanner read outside the buffer; nesting is capped by the caller's `maxDepth`, so no
/// input can overflow the stack.
package enum JSONScan {
    package enum Failure: Error, Equatable {
        /// Not JSON at this offset (with a short reason).
        case malformed(Int, String)
        /// A string holds bytes that are not UTF-8.
        case invalidUTF8(Int)
        /// A raw control byte (NUL, ESC, …) where JSON allows none: usually binary garbage.
        case controlByte(Int)
        /// Objects/arrays nested deeper than `maxDepth`.
        case tooDeep(Int)

        package var offset: Int {
            switch self {
            case .malformed(let o, _), .invalidUTF8(let o), .controlByte(let o), .tooDeep(let o): o
            }
        }
    }

    /// Replay's nesting cap (a log record nests two or three levels); the proxy passes its own.
    package static let maxDepth = 64

    @inline(__always)
    package static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A }

    @inline(__always)
    package static func skipSpace(_ p: UnsafePointer<UInt8>, _ i: inout Int, _ end: Int) {
        while i < end, isSpace(p[i]) { i += 1 }
    }

    // MARK: strings

    /// Scans a string body starting just after its opening quote. Returns the index of the closing
    /// quote; `escaped` tells whether the body holds backslash escapes (so needs decoding).
    @inline(__always)
    package static func string(_ p: UnsafePointer<UInt8>, from start: Int, _ end: Int, escaped: inout Bool) throws(Failure) -> Int {
        var i = start
        let raw = UnsafeRawPointer(p)
        while true {
            // Eight bytes at a time while none is a quote, a backslash, a control byte or non-ASCII.
            while i &+ 8 <= end {
                let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                let special = hasByte(w, 0x22) | hasByte(w, 0x5C) | hasLess(w, 0x20) | (w & 0x8080_8080_8080_8080)
                if special == 0 { i &+= 8; continue }
                // Little-endian: the lowest flagged byte is the first special one (later flags may be
                // borrow artefacts, but the lowest never is).
                i &+= special.trailingZeroBitCount >> 3
                break
            }
            guard i < end else { throw .malformed(start - 1, "unterminated string") }
            let c = p[i]
            switch c {
            case 0x22:
                return i
            case 0x5C:
                escaped = true
                i = try escape(p, at: i, end)
            case 0x00..<0x20:
                throw .controlByte(i)
            case 0x80...:
                i = try utf8Sequence(p, at: i, end)
            default:
                i &+= 1
            }
        }
    }

    /// Validates the escape at `i` (a backslash); returns the index after it.
    private static func escape(_ p: UnsafePointer<UInt8>, at i: Int, _ end: Int) throws(Failure) -> Int {
        guard i + 1 < end else { throw .malformed(i, "unterminated string") }
        switch p[i + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
             UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            return i + 2
        case UInt8(ascii: "u"):
            guard i + 6 <= end else { throw .malformed(i, "invalid \\u escape") }
            for k in (i + 2)..<(i + 6) where hexValue(p[k]) == nil { throw .malformed(i, "invalid \\u escape") }
            return i + 6
        default:
            throw .malformed(i, "invalid escape sequence")
        }
    }

    /// Validates one multi-byte UTF-8 sequence at `i` (RFC 3629: no overlongs, no surrogates,
    /// nothing above U+10FFFF); returns the index after it.
    package static func utf8Sequence(_ p: UnsafePointer<UInt8>, at i: Int, _ end: Int) throws(Failure) -> Int {
        let c0 = p[i]
        @inline(__always) func cont(_ k: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xBF) throws(Failure) {
            guard k < end, p[k] >= lo, p[k] <= hi else { throw .invalidUTF8(i) }
        }
        switch c0 {
        case 0xC2...0xDF:
            try cont(i + 1)
            return i + 2
        case 0xE0...0xEF:
            let lo: UInt8 = c0 == 0xE0 ? 0xA0 : 0x80
            let hi: UInt8 = c0 == 0xED ? 0x9F : 0xBF
            try cont(i + 1, lo, hi)
            try cont(i + 2)
            return i + 3
        case 0xF0...0xF4:
            let lo: UInt8 = c0 == 0xF0 ? 0x90 : 0x80
            let hi: UInt8 = c0 == 0xF4 ? 0x8F : 0xBF
            try cont(i + 1, lo, hi)
            try cont(i + 2)
            try cont(i + 3)
            return i + 4
        default:
            throw .invalidUTF8(i)
        }
    }

    @inline(__always)
    package static func hexValue(_ c: UInt8) -> UInt32? {
        switch c {
        case 0x30...0x39: UInt32(c - 0x30)
        case 0x41...0x46: UInt32(c - 0x41 + 10)
        case 0x61...0x66: UInt32(c - 0x61 + 10)
        default: nil
        }
    }

    // SWAR helpers (Hacker's Delight / "bit twiddling hacks").
    @inline(__always) private static func hasZero(_ x: UInt64) -> UInt64 {
        (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080
    }
    @inline(__always) private static func hasByte(_ x: UInt64, _ b: UInt8) -> UInt64 {
        hasZero(x ^ (0x0101_0101_0101_0101 &* UInt64(b)))
    }
    @inline(__always) private static func hasLess(_ x: UInt64, _ n: UInt8) -> UInt64 {
        (x &- 0x0101_0101_0101_0101 &* UInt64(n)) & ~x & 0x8080_8080_8080_8080
    }

    // MARK: numbers and literals

    /// Scans a JSON number at `i`; returns its end, whether it is an integer (no fraction or
    /// exponent) and, for an integer that fits, its value (computed in the same pass).
    @inline(__always)
    package static func number(_ p: UnsafePointer<UInt8>, at start: Int, _ end: Int) throws(Failure) -> (end: Int, integer: Bool, value: Int64?) {
        var i = start
        let negative = i < end && p[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        guard i < end, isDigit(p[i]) else { throw .malformed(i, "invalid number: expected a digit") }
        var magnitude: UInt64 = 0
        var digits = 0
        if p[i] == UInt8(ascii: "0") {
            i += 1
            digits = 1
            if i < end, isDigit(p[i]) { throw .malformed(start, "invalid number: leading zero") }
        } else {
            while i < end {
                let d = p[i] &- 0x30
                guard d < 10 else { break }
                magnitude = magnitude &* 10 &+ UInt64(d)
                digits &+= 1
                i += 1
            }
        }
        var integer = true
        if i < end, p[i] == UInt8(ascii: ".") {
            integer = false
            i += 1
            guard i < end, isDigit(p[i]) else { throw .malformed(i, "invalid number: expected a digit after '.'") }
            while i < end, isDigit(p[i]) { i += 1 }
        }
        if i < end, p[i] == UInt8(ascii: "e") || p[i] == UInt8(ascii: "E") {
            integer = false
            i += 1
            if i < end, p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-") { i += 1 }
            guard i < end, isDigit(p[i]) else { throw .malformed(i, "invalid number: expected a digit in exponent") }
            while i < end, isDigit(p[i]) { i += 1 }
        }
        // Up to 18 digits cannot overflow; longer ones take the checked path.
        guard integer else { return (i, false, nil) }
        if digits <= 18 {
            return (i, true, negative ? -Int64(magnitude) : Int64(magnitude))
        }
        return (i, true, int64(p, start, i))
    }

    @inline(__always)
    package static func isDigit(_ c: UInt8) -> Bool { c &- 0x30 < 10 }

    /// The value of an integer token (as `number` scanned it), or nil when it does not fit in Int64.
    package static func int64(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int64? {
        var i = start
        let negative = i < end && p[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        guard i < end else { return nil }
        var v: UInt64 = 0
        while i < end {
            let d = p[i] &- 0x30
            guard d < 10 else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(d))
            if o1 || o2 { return nil }
            v = a
            i += 1
        }
        if negative {
            guard v <= UInt64(Int64.max) + 1 else { return nil }
            return v == UInt64(Int64.max) + 1 ? Int64.min : -Int64(v)
        }
        guard v <= UInt64(Int64.max) else { return nil }
        return Int64(v)
    }

    /// Matches `true`, `false` or `null` at `i`; returns the end.
    @inline(__always)
    package static func literal(_ p: UnsafePointer<UInt8>, at i: Int, _ end: Int, _ word: StaticString) throws(Failure) -> Int {
        let n = word.utf8CodeUnitCount
        guard i + n <= end else { throw .malformed(i, "invalid literal") }
        let w = word.utf8Start
        for k in 0..<n where p[i + k] != w[k] { throw .malformed(i, "invalid literal") }
        return i + n
    }

    // MARK: any value

    /// Skips (and validates) any value at `i`; returns its end. `depth` counts the containers around
    /// `i`; one nested deeper than `maxDepth` is `.tooDeep`.
    package static func skipValue(_ p: UnsafePointer<UInt8>, at i: Int, _ end: Int, depth: Int, maxDepth: Int = JSONScan.maxDepth) throws(Failure) -> Int {
        guard i < end else { throw .malformed(i, "unexpected end of input, expected a value") }
        switch p[i] {
        case UInt8(ascii: "\""):
            var escaped = false
            return try string(p, from: i + 1, end, escaped: &escaped) + 1
        case UInt8(ascii: "{"):
            return try object(p, at: i, end, depth: depth + 1, maxDepth: maxDepth) { _, _, value throws(Failure) in
                try skipValue(p, at: value, end, depth: depth + 1, maxDepth: maxDepth)
            }
        case UInt8(ascii: "["):
            return try array(p, at: i, end, depth: depth + 1, maxDepth: maxDepth) { element throws(Failure) in
                try skipValue(p, at: element, end, depth: depth + 1, maxDepth: maxDepth)
            }
        case UInt8(ascii: "t"): return try literal(p, at: i, end, "true")
        case UInt8(ascii: "f"): return try literal(p, at: i, end, "false")
        case UInt8(ascii: "n"): return try literal(p, at: i, end, "null")
        case UInt8(ascii: "-"), 0x30...0x39: return try number(p, at: i, end).end
        default: throw unexpected(p, at: i)
        }
    }

    /// The failure for a byte that cannot start a value.
    package static func unexpected(_ p: UnsafePointer<UInt8>, at i: Int) -> Failure {
        let c = p[i]
        if c < 0x20 && !isSpace(c) { return .controlByte(i) }
        return .malformed(i, "unexpected character \(describe(c)), expected a value")
    }

    /// `'x'` for a printable ASCII byte, `0x1B` otherwise.
    package static func describe(_ c: UInt8) -> String {
        if c >= 0x20 && c < 0x7F { return "'\(Character(Unicode.Scalar(c)))'" }
        let hex = String(c, radix: 16, uppercase: true)
        return "0x" + (hex.count < 2 ? "0" + hex : hex)
    }

    /// Walks the object whose `{` is at `start`: for each member, `member(key, keyEscaped, value)`
    /// gets the key's body range, whether it holds escapes, and where the value starts, and returns
    /// where the value ends (it scans or skips it). Returns the index after the `}`. The one object
    /// grammar: the skipper, the proxy's document builder and its passthrough scan all use it.
    @inline(__always)
    package static func object(
        _ p: UnsafePointer<UInt8>, at start: Int, _ end: Int, depth: Int, maxDepth: Int,
        _ member: (_ key: Range<Int>, _ keyEscaped: Bool, _ value: Int) throws(Failure) -> Int
    ) throws(Failure) -> Int {
        guard depth <= maxDepth else { throw .tooDeep(start) }
        var i = start + 1
        skipSpace(p, &i, end)
        if i < end, p[i] == UInt8(ascii: "}") { return i + 1 }
        while true {
            guard i < end else { throw .malformed(i, "unexpected end of input in object") }
            guard p[i] == UInt8(ascii: "\"") else { throw .malformed(i, "expected a string key in object") }
            var escaped = false
            let keyStart = i + 1
            let close = try string(p, from: keyStart, end, escaped: &escaped)
            i = close + 1
            skipSpace(p, &i, end)
            guard i < end, p[i] == UInt8(ascii: ":") else { throw .malformed(i, "expected ':' after object key") }
            i += 1
            skipSpace(p, &i, end)
            i = try member(keyStart..<close, escaped, i)
            skipSpace(p, &i, end)
            guard i < end else { throw .malformed(i, "unexpected end of input in object") }
            if p[i] == UInt8(ascii: "}") { return i + 1 }
            guard p[i] == UInt8(ascii: ",") else { throw .malformed(i, "expected ',' or '}' in object") }
            i += 1
            skipSpace(p, &i, end)
        }
    }

    /// Walks the array whose `[` is at `start`: `element(at)` scans the element starting at `at` and
    /// returns its end. Returns the index after the `]`.
    @inline(__always)
    package static func array(
        _ p: UnsafePointer<UInt8>, at start: Int, _ end: Int, depth: Int, maxDepth: Int,
        _ element: (_ at: Int) throws(Failure) -> Int
    ) throws(Failure) -> Int {
        guard depth <= maxDepth else { throw .tooDeep(start) }
        var i = start + 1
        skipSpace(p, &i, end)
        if i < end, p[i] == UInt8(ascii: "]") { return i + 1 }
        while true {
            i = try element(i)
            skipSpace(p, &i, end)
            guard i < end else { throw .malformed(i, "unexpected end of input in array") }
            if p[i] == UInt8(ascii: "]") { return i + 1 }
            guard p[i] == UInt8(ascii: ",") else { throw .malformed(i, "expected ',' or ']' in array") }
            i += 1
            skipSpace(p, &i, end)
        }
    }
}
