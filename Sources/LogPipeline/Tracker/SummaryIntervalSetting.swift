import Foundation

/// `LOG_SUMMARY_INTERVAL`: a summary every N completions (default 100); 0 disables; anything else
/// falls back to the default with one warning for the caller to log (the original divided by zero).
public enum SummaryIntervalSetting {
    public static let defaultInterval = 100

    public static func parse(_ raw: String?) -> (interval: Int, warning: String?) {
        guard let raw else { return (defaultInterval, nil) }
        let trimmed = raw.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return (defaultInterval, nil) }
        if let n = Int(trimmed), n >= 0 { return (n, nil) }
        return (defaultInterval, "LOG_SUMMARY_INTERVAL=\(LineEscaper.escaped(String(trimmed.prefix(40)))) is not a whole number ≥ 0; using \(defaultInterval)")
    }
}
