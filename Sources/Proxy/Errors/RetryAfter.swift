import Foundation

/// The `retry-after` value vdm passes on from an upstream 429/529 (RFC 9110 §10.2.3).
///
/// The value comes from a provider vdm does not control, so only the two forms the RFC allows are
/// relayed: delay-seconds (1–10 digits) or an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`,
/// exactly 29 bytes of letters, digits, spaces, commas and colons). Anything else is dropped.
package enum RetryAfter {
    static let maxSecondsDigits = 10
    static let httpDateBytes = 29

    package static func sanitized(_ raw: String) -> String? {
        let value = raw.trimmingCharacters(in: .whitespaces)
        let bytes = Array(value.utf8)
        if !bytes.isEmpty, bytes.count <= maxSecondsDigits, bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            return value
        }
        let allowed: (UInt8) -> Bool = { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x20 || b == 0x2C || b == 0x3A
        }
        if bytes.count == httpDateBytes, bytes.allSatisfy(allowed), value.hasSuffix(" GMT") {
            return value
        }
        return nil
    }
}
