#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The human line: `HH:MM:SS - LEVEL - [abcd1234] message` (local time, as the seed).
/// Lines without a request have no bracket. Control characters are escaped and secrets redacted.
public struct ConsoleFormatter: Sendable {
    public var redactor: Redactor
    private let clockCache = LocalClockCache()

    public init(redactor: Redactor = Redactor()) {
        self.redactor = redactor
    }

    /// Generic so the console sink formats straight into its writer's buffer (no line of its own).
    public func format<O: ByteOutput & ~Copyable>(_ record: LogRecord, into out: inout O) {
        clockCache.append(micros: record.timestampMicros, to: &out)
        out.append(literal: " - ")
        out.append(utf8: record.level.consoleName)
        out.append(literal: " - ")
        Self.appendBody(record, redactor: redactor, to: &out)
        out.append(UInt8(ascii: "\n"))
    }

    /// `[abcd1234] message | error: …`, redacted and escaped to one line: the console line after its
    /// time and level, and the whole of a syslog line after its header.
    public static func appendBody<O: ByteOutput & ~Copyable>(_ record: LogRecord, redactor: Redactor, to out: inout O) {
        if let prefix = record.correlationPrefix {
            out.append(UInt8(ascii: "["))
            LineEscaper.append(String(prefix), to: &out)
            out.append(literal: "] ")
        }
        LineEscaper.append(redactor.redact(record.message), to: &out)
        if let error = record.error {
            out.append(literal: " | error: ")
            LineEscaper.append(redactor.redact(String(describing: error)), to: &out)
        }
    }

    public func format(_ record: LogRecord) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(160)
        format(record, into: &out)
        return String(decoding: out, as: UTF8.self)
    }
}

/// `localtime_r` costs a time-zone lookup; a second changes rarely, so the text is cached.
final class LocalClockCache: Sendable {
    private let cached = Mutex<(second: Int64, text: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8))>(
        (Int64.min, (0, 0, 0, 0, 0, 0, 0, 0)))

    func append<O: ByteOutput & ~Copyable>(micros: Int64, to out: inout O) {
        let second = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        var text = cached.withLock { $0.second == second ? $0.text : nil }
        if text == nil {
            let (h, m, s) = WallClock.localClock(seconds: second)
            let t: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (
                UInt8(48 + h / 10), UInt8(48 + h % 10), UInt8(ascii: ":"),
                UInt8(48 + m / 10), UInt8(48 + m % 10), UInt8(ascii: ":"),
                UInt8(48 + s / 10), UInt8(48 + s % 10))
            cached.withLock { $0 = (second, t) }
            text = t
        }
        if var t = text {
            withUnsafeBytes(of: &t) { out.append(contentsOf: $0) }
        }
    }
}
