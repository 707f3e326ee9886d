import LogPipeline
import VDMProxy

/// The events each pipeline's input hands to its filters, built the way the shippers build them, so
/// the simulated filters see what the real ones would.
enum ShipperEvents {
    /// Logstash's own event-format version, on every event.
    static let logstashVersion: (String, LogstashEvent.Value) = ("@version", .string("1"))

    /// vdm-file.conf: the file input with the json codec (ECS v8 adds the path and host).
    static func file(line: String, path: String) throws -> LogstashEvent {
        var event = LogstashEvent(record: try JSONValue.parse(line))
        event.set(["log", "file", "path"], .string(path))
        event.set(["host", "name"], .string("logstash-host"))
        event.fields[logstashVersion.0] = logstashVersion.1
        return event
    }

    /// vdm-beats.conf: Filebeat's filestream input, no parsers: the line in `message`, Filebeat's
    /// read time in @timestamp, its own ECS version and metadata.
    static func filestream(line: String, path: String, offset: Int64) -> LogstashEvent {
        var event = beat(input: "filestream")
        event.fields["message"] = .string(line)
        event.set(["log", "file", "path"], .string(path))
        event.set(["log", "offset"], .integer(offset))
        return event
    }

    /// vdm-journald.conf: Filebeat's journald input (`filebeat/input/journald/pkg/journalfield`:
    /// conv.go and default.go). Only the fields a client writes are modelled (journald's trusted
    /// `_*` fields land in Filebeat's own names or, unknown, in `journald.custom` too, and the
    /// pipeline leaves them alone). A field Filebeat does not know goes to
    /// `journald.custom.<name lower-cased, leading _ trimmed>` as a string.
    static func journald(entry: [String: String], realtimeMicros: Int64) -> LogstashEvent {
        var event = beat(input: "journald")
        event.fields["@timestamp"] = .timestamp(micros: realtimeMicros)
        for (name, value) in entry where !name.hasPrefix("_") {
            if let known = filebeatJournaldFields[name] {
                for target in known.targets {
                    var typed = LogstashEvent.Value.string(value)
                    if known.integer, let number = Int64(value) { typed = .integer(number) }
                    event.set(target.split(separator: ".").map(String.init), typed)
                }
            } else {
                event.set(["journald", "custom", customName(name)], .string(value))
            }
        }
        return event
    }

    /// Filebeat's name for a journal field it does not know.
    static func customName(_ journalField: String) -> String {
        String(journalField.drop { $0 == "_" }).lowercased()
    }

    /// The entries of Filebeat's conversion table for the fields vdm writes (default.go).
    static let filebeatJournaldFields: [String: (targets: [String], integer: Bool)] = [
        "MESSAGE": (["message"], false),
        "PRIORITY": (["syslog.priority", "log.syslog.priority"], true),
        "SYSLOG_IDENTIFIER": (["syslog.identifier"], false),
        "MESSAGE_ID": (["message_id"], false),
        "CODE_FILE": (["journald.code.file"], false),
        "CODE_FUNC": (["journald.code.func"], false),
        "CODE_LINE": (["journald.code.line"], true),
    ]

    private static func beat(input: String) -> LogstashEvent {
        var event = LogstashEvent()
        event.fields["@timestamp"] = .timestamp(micros: WallClock.nowMicros())
        event.set(["ecs", "version"], .string("8.0.0"))
        event.set(["agent", "type"], .string("filebeat"))
        event.set(["agent", "version"], .string("8.17.0"))
        event.set(["host", "name"], .string("vdm-host"))
        event.set(["input", "type"], .string(input))
        event.fields[logstashVersion.0] = logstashVersion.1
        return event
    }
}
