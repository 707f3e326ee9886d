import ArgumentParser
import VDMProxy

/// `--since`/`--until`: the library reads the time; a value it cannot read is a usage error (exit 64).
extension JournalTime {
    static func parse(_ text: String?, option: String) throws(ValidationError) -> UInt64? {
        guard let text else { return nil }
        guard let value = micros(text) else {
            throw ValidationError("\(option) '\(text)': expected YYYY-MM-DD[ HH:MM[:SS]] (local time), an ISO 8601 time with a zone, or @SECONDS")
        }
        return value
    }
}
