/// Exact decimal numbers from integers: epoch seconds from microseconds, milliseconds from
/// nanoseconds. Written from the integer, never through `Double`, so the text is the same on every
/// run and sums read back agree with the integer totals.
extension JSONBytes {
    /// `value / 10^digits` with exactly `digits` decimals (`1700000000123456`, 6 → `1700000000.123456`).
    package static func appendScaled(_ value: Int64, digits requested: Int, to out: inout [UInt8]) {
        let digits = min(max(requested, 0), 18)
        var scale: UInt64 = 1
        for _ in 0..<digits { scale *= 10 }
        let negative = value < 0
        let magnitude = value.magnitude
        let whole = magnitude / scale
        let fraction = magnitude % scale
        if negative { out.append(UInt8(ascii: "-")) }
        out.append(contentsOf: String(whole).utf8)
        guard digits > 0 else { return }
        out.append(UInt8(ascii: "."))
        let text = String(fraction).utf8
        if text.count < digits { out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: digits - text.count)) }
        out.append(contentsOf: text)
    }

    /// Epoch seconds with microsecond precision, from integer microseconds.
    package static func appendEpochSeconds(micros: Int64, to out: inout [UInt8]) {
        appendScaled(micros, digits: 6, to: &out)
    }

    /// Milliseconds with three decimals from integer nanoseconds, rounded half up to the microsecond
    /// (the same rounding as the YAML's `total_duration_ms`).
    package static func appendMillis(nanos: Int64, to out: inout [UInt8]) {
        let micros = nanos >= 0 ? (nanos + 500) / 1_000 : (nanos - 500) / 1_000
        appendScaled(micros, digits: 3, to: &out)
    }

    /// `"key":value` helpers for the hand-written metrics documents; the key is ours (plain ASCII).
    package static func appendField(_ key: String, _ value: Int, to out: inout [UInt8]) {
        appendKey(key, to: &out)
        appendInt(Int64(value), to: &out)
    }

    package static func appendField(_ key: String, _ value: String, to out: inout [UInt8]) {
        appendKey(key, to: &out)
        appendString(value, to: &out)
    }

    package static func appendField(_ key: String, _ value: Bool, to out: inout [UInt8]) {
        appendKey(key, to: &out)
        out.append(contentsOf: value ? "true".utf8 : "false".utf8)
    }

    package static func appendField(_ key: String, _ value: String?, to out: inout [UInt8]) {
        appendKey(key, to: &out)
        if let value { appendString(value, to: &out) } else { out.append(contentsOf: "null".utf8) }
    }
}
