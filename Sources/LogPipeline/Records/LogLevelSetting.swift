public import Logging

/// `LOG_LEVEL` as the original reads it: first word, any case. Anything unknown falls back to INFO
/// and yields one warning for the caller to log.
public enum LogLevelSetting {
    public static func parse(_ raw: String?) -> (level: Logger.Level, warning: String?) {
        guard let raw, let word = raw.split(whereSeparator: { $0 == " " || $0 == "\t" }).first else {
            return (.info, nil)
        }
        switch word.uppercased() {
        case "TRACE": return (.trace, nil)
        case "DEBUG": return (.debug, nil)
        case "INFO": return (.info, nil)
        case "NOTICE": return (.notice, nil)
        case "WARNING", "WARN": return (.warning, nil)
        case "ERROR": return (.error, nil)
        case "CRITICAL", "FATAL": return (.critical, nil)
        default:
            return (.info, "LOG_LEVEL=\(LineEscaper.escaped(String(word.prefix(40)))) is not one of DEBUG, INFO, WARNING, ERROR, CRITICAL; using INFO")
        }
    }
}
