#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Wall-clock instants as integer microseconds since the Unix epoch, and their text forms.
/// Integers so that records round-trip exactly; formatting is hand-written because it runs on every line.
public enum WallClock {
    /// Microseconds since 1970-01-01T00:00:00Z.
    public static func nowMicros() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1_000
    }

    /// Length of `2026-11-28T23:08:09.382331Z`.
    static let iso8601Length = 27

    /// `2026-11-28T23:08:09.382331Z` appended to `out`.
    public static func appendISO8601<O: ByteOutput & ~Copyable>(micros: Int64, to out: inout O) {
        var text: (UInt64, UInt64, UInt64, UInt32) = (0, 0, 0, 0)  // 28 bytes
        withUnsafeMutableBytes(of: &text) { raw in
            guard let p = raw.bindMemory(to: UInt8.self).baseAddress else { return }
            writeISO8601(micros: micros, to: p)
            out.append(contentsOf: UnsafeRawBufferPointer(start: p, count: iso8601Length))
        }
    }

    /// Writes the `iso8601Length` bytes of the timestamp at `p`, two digits at a time. The year is
    /// written as its last four digits (instants outside years 0–9999 do not come from a clock).
    @inline(__always)
    static func writeISO8601(micros: Int64, to p: UnsafeMutablePointer<UInt8>) {
        let secs = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        let days = secs >= 0 ? secs / 86_400 : (secs - 86_399) / 86_400
        let (y, m, d) = civil(fromDays: days)
        let frac = micros - secs * 1_000_000
        let sod = secs - days * 86_400
        let year = Int(y.magnitude % 10_000)
        twoDigits(year / 100, p)
        twoDigits(year % 100, p + 2)
        p[4] = UInt8(ascii: "-")
        twoDigits(Int(m), p + 5)
        p[7] = UInt8(ascii: "-")
        twoDigits(Int(d), p + 8)
        p[10] = UInt8(ascii: "T")
        twoDigits(Int(sod / 3600), p + 11)
        p[13] = UInt8(ascii: ":")
        twoDigits(Int(sod % 3600 / 60), p + 14)
        p[16] = UInt8(ascii: ":")
        twoDigits(Int(sod % 60), p + 17)
        p[19] = UInt8(ascii: ".")
        twoDigits(Int(frac / 10_000), p + 20)
        twoDigits(Int(frac / 100 % 100), p + 22)
        twoDigits(Int(frac % 100), p + 24)
        p[26] = UInt8(ascii: "Z")
    }

    @inline(__always)
    private static func twoDigits(_ v: Int, _ p: UnsafeMutablePointer<UInt8>) {
        let pairs = JSONBytes.digitPairs.utf8Start
        p[0] = pairs[v &* 2]
        p[1] = pairs[v &* 2 + 1]
    }

    public static func iso8601(micros: Int64) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(27)
        appendISO8601(micros: micros, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses exactly the form `appendISO8601` writes (fraction of 0–9 digits, `Z` or `+00:00`).
    public static func parseISO8601(_ text: some StringProtocol) -> Int64? {
        let b = Array(text.utf8)
        guard b.count >= 20, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
              b[10] == UInt8(ascii: "T"), b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":")
        else { return nil }
        func num(_ from: Int, _ len: Int) -> Int64? {
            var v: Int64 = 0
            for i in from..<(from + len) {
                let c = b[i]
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int64(c - 48)
            }
            return v
        }
        guard let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2),
              let h = num(11, 2), let mi = num(14, 2), let s = num(17, 2),
              (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, s < 61
        else { return nil }
        var i = 19
        var frac: Int64 = 0
        var digits = 0
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                if digits < 6 { frac = frac * 10 + Int64(b[i] - 48) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            for _ in min(digits, 6)..<6 { frac *= 10 }
        }
        let rest = b[i...]
        guard rest.elementsEqual("Z".utf8) || rest.elementsEqual("+00:00".utf8) else { return nil }
        let days = days(fromCivil: y, mo, d)
        return ((days * 86_400) + h * 3600 + mi * 60 + s) * 1_000_000 + frac
    }

    /// Local `HH:MM:SS` for console lines; `localtime_r` is cached per second by the caller.
    public static func localClock(seconds: Int64) -> (h: Int, m: Int, s: Int) {
        var t = time_t(seconds)
        var parts = tm()
        localtime_r(&t, &parts)
        return (Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }

    /// Howard Hinnant's days-from-civil algorithm (proleptic Gregorian).
    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    static func days(fromCivil y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
