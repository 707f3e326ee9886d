import Logging
import LogPipeline
import Testing
@testable import Journald

@Suite struct SyslogLineTests {
    let factory = RecordFactory()

    @Test func rfc3164FormWithCorrelationPrefix() {
        let id = correlationID()
        let line = SyslogLine(facility: .user, pid: 4242)
        #expect(line.format(factory.record("started", level: .info, correlationID: id))
            == "<14>vandamme-proxy[4242]: [\(id.prefix(8))] started")
        #expect(line.format(factory.record("plain", level: .error)) == "<11>vandamme-proxy[4242]: plain")
    }

    @Test func configuredSecretsAreRedactedByValue() {
        let key = "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY"
        let line = SyslogLine(facility: .user, pid: 7, redactor: Redactor(secrets: ConfiguredSecrets([key])))
        #expect(line.format(factory.record("upstream said \(key)!", level: .error))
            == "<11>vandamme-proxy[7]: upstream said [redacted:\(SecretHash.short(key))]!")
    }

    @Test func priorityIsFacilityTimesEightPlusSeverity() {
        let line = SyslogLine(facility: .local3, pid: 1)
        let levels: [(Logger.Level, Int)] = [(.trace, 7), (.debug, 7), (.info, 6), (.notice, 5), (.warning, 4), (.error, 3), (.critical, 2)]
        for (level, severity) in levels {
            #expect(line.priority(of: factory.record("x", level: level)) == 19 * 8 + severity)
        }
    }

    @Test func oneLineWhateverTheMessage() {
        let line = SyslogLine(pid: 1).format(factory.record("a\nb\u{1b}c", error: SampleError(description: "x\ny")))
        #expect(line == #"<14>vandamme-proxy[1]: a\nb\x1bc | error: x\ny"#)
    }

    @Test func facilityNames() {
        #expect(SyslogFacility(name: "daemon") == .daemon)
        #expect(SyslogFacility(name: "LOCAL7") == .local7)
        #expect(SyslogFacility(name: "nope") == nil)
    }

    @Test func truncationKeepsUTF8Whole() {
        var bytes = Array(String(repeating: "é", count: 100).utf8)
        SyslogTransport.truncate(&bytes, to: 51)
        #expect(bytes.count <= 51)
        #expect(String(validating: bytes, as: UTF8.self) != nil)
        #expect(String(decoding: bytes, as: UTF8.self).hasSuffix("…[truncated]"))
    }
}
