/// One requested log output, as given to `--log-target` / `VDM_LOG_TARGET`.
public enum LogTarget: Sendable, Equatable, CustomStringConvertible {
    /// The journal's native protocol; syslog, then console, when journald is not there.
    case journald
    /// RFC 3164 datagrams to /dev/log; console when nothing listens.
    case syslog
    /// Human lines on stderr.
    case console
    /// ECS JSON lines appended to a file; `-` is stdout.
    case json(String)

    public var description: String {
        switch self {
        case .journald: "journald"
        case .syslog: "syslog"
        case .console: "console"
        case .json(let path): "json:\(path)"
        }
    }

    /// Parses `journald,json:/var/log/vdm.json`: comma-separated, case-insensitive names, `json:PATH`
    /// (`json` alone or `json:-` is stdout). Duplicates are dropped, the first occurrence kept.
    public static func parseList(_ text: String) throws(LogTargetError) -> [LogTarget] {
        var targets: [LogTarget] = []
        for item in text.split(separator: ",") {
            let item = item.trimmingSpaces()
            guard !item.isEmpty else { continue }
            let target = try parse(item)
            if !targets.contains(target) { targets.append(target) }
        }
        guard !targets.isEmpty else { throw LogTargetError(input: text, reason: "no log target given") }
        return targets
    }

    public static func parse(_ item: some StringProtocol) throws(LogTargetError) -> LogTarget {
        let text = String(item)
        let (head, path): (Substring, Substring?) =
            if let colon = text.firstIndex(of: ":") { (text[..<colon], text[text.index(after: colon)...]) }
            else { (Substring(text), nil) }
        switch (head.lowercased(), path) {
        case ("journald", nil), ("journal", nil): return .journald
        case ("syslog", nil): return .syslog
        case ("console", nil), ("stderr", nil): return .console
        case ("json", nil): return .json("-")
        case ("json", let path?):
            guard !path.isEmpty else { throw LogTargetError(input: text, reason: "json: needs a file path (or -)") }
            return .json(String(path))
        default:
            throw LogTargetError(input: text, reason: "unknown log target; use journald, syslog, console or json:PATH")
        }
    }
}

public struct LogTargetError: Error, CustomStringConvertible, Equatable {
    public let input: String
    public let reason: String
    public var description: String { "invalid log target '\(input)': \(reason)" }
}

extension StringProtocol {
    fileprivate func trimmingSpaces() -> String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}
