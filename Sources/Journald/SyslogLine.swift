package import LogPipeline

/// syslog facilities (RFC 3164 / RFC 5424 numbering).
public enum SyslogFacility: Int, Sendable, CaseIterable {
    case kern = 0, user, mail, daemon, auth, syslog, lpr, news, uucp, cron, authpriv, ftp
    case local0 = 16, local1, local2, local3, local4, local5, local6, local7

    /// `user`, `daemon`, `local0` … as in syslog.conf.
    public init?(name: String) {
        guard let match = Self.allCases.first(where: { "\($0)" == name.lowercased() }) else { return nil }
        self = match
    }
}

/// `<PRI>vandamme-proxy[pid]: [abcd1234] message`, the RFC 3164 form local syslog daemons (and
/// journald's /dev/log) parse into facility, severity, identifier and pid. No timestamp or host: the
/// receiver stamps its own, as it does for glibc's `syslog(3)` on /dev/log. One line: control
/// characters are escaped as on the console; secrets are redacted.
package struct SyslogLine: Sendable {
    package var identifier: String
    package var facility: SyslogFacility
    package var pid: Int32
    package var redactor: Redactor

    package init(identifier: String = Schema.serviceName, facility: SyslogFacility = .user, pid: Int32, redactor: Redactor = Redactor()) {
        self.identifier = identifier
        self.facility = facility
        self.pid = pid
        self.redactor = redactor
    }

    package func priority(of record: LogRecord) -> Int { facility.rawValue * 8 + record.level.syslogPriority }

    package func format(_ record: LogRecord, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "<"))
        out.append(contentsOf: String(priority(of: record)).utf8)
        out.append(UInt8(ascii: ">"))
        out.append(contentsOf: identifier.utf8)
        out.append(UInt8(ascii: "["))
        out.append(contentsOf: String(pid).utf8)
        out.append(contentsOf: "]: ".utf8)
        ConsoleFormatter.appendBody(record, redactor: redactor, to: &out)
    }

    package func format(_ record: LogRecord) -> String {
        var out: [UInt8] = []
        format(record, into: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
