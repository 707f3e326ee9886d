import Foundation

/// Minimal YAML scalar writing for our renderers: keys and strings that could be mistaken for other
/// types, or carry client-controlled characters, are quoted, so any model name renders as valid YAML.
package enum YAMLText {
    /// A key or string value as YAML text.
    package static func scalar(_ text: String) -> String {
        if isPlainSafe(text) { return text }
        if text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F && !(0x80...0x9F).contains($0.value) && $0.value != 0xFEFF && $0.value != 0x2028 && $0.value != 0x2029 }) {
            return "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
        }
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value) || scalar.value == 0xFEFF || scalar.value == 0x2028 || scalar.value == 0x2029 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    private static let reserved: Set<String> = [
        "", "~", "null", "true", "false", "yes", "no", "on", "off", "y", "n", ".nan", ".inf", "-.inf", "<<",
    ]

    /// Plain (unquoted) only for `[A-Za-z0-9._/-]` text that does not read as a number, bool or null.
    static func isPlainSafe(_ text: String) -> Bool {
        guard !reserved.contains(text.lowercased()) else { return false }
        guard let first = text.utf8.first, first != UInt8(ascii: "-"), first != UInt8(ascii: ".") else { return false }
        var sawNonNumeric = false
        for c in text.utf8 {
            let alpha = (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
            let digit = c >= 48 && c <= 57
            guard alpha || digit || c == UInt8(ascii: ".") || c == UInt8(ascii: "_") || c == UInt8(ascii: "/") || c == UInt8(ascii: "-") else { return false }
            if alpha && c != UInt8(ascii: "e") && c != UInt8(ascii: "E") { sawNonNumeric = true }
            if c == UInt8(ascii: "/") || c == UInt8(ascii: "_") { sawNonNumeric = true }
        }
        // Things like 1e5, 0x1f, 1.5, 12 read as numbers.
        if !sawNonNumeric { return false }
        if text.lowercased().hasPrefix("0x") || text.lowercased().hasPrefix("0o") { return false }
        return true
    }

    /// Milliseconds with three decimals from integer nanoseconds (exact, rounded half up to µs).
    /// A negative value (never summed, but a trace may show one) keeps its sign instead of trapping.
    package static func millis3(_ nanos: Int64) -> String {
        millis3(magnitudeMicros: (nanos.magnitude + 500) / 1_000, negative: nanos < 0)
    }

    /// Milliseconds with three decimals from integer microseconds, for any Int64.
    package static func millis3(micros: Int64) -> String {
        millis3(magnitudeMicros: micros.magnitude, negative: micros < 0)
    }

    private static func millis3(magnitudeMicros micros: UInt64, negative: Bool) -> String {
        let f = String(micros % 1_000)
        return (negative ? "-" : "") + "\(micros / 1_000)." + String(repeating: "0", count: max(0, 3 - f.count)) + f
    }
}
