import Foundation
package import Journald
package import LogPipeline

/// `vdm replay --journal`: the journal's vandamme-proxy entries, one at a time, through the same replay
/// code as log files. Each entry contributes its `VDM_ECS_JSON` record; an entry without one (a console
/// line the unit's stderr sent to the journal, say) contributes its `MESSAGE`, so it is counted and
/// reported as not a record instead of vanishing.
package enum JournalReplay {
    package static func state(source: JournalSource, since: UInt64?, until: UInt64?,
                      onCompleted: Replay.CompletionObserver? = nil) throws(JournalReaderError) -> ReplayState {
        let query = JournalQuery(since: since, until: until, fields: [JournalFieldName.ecsJSON, "MESSAGE"])
        let lines = JournalLines(stream: try JournalReader(source: source).entries(query))
        let state = Replay.state(lines: lines, name: "journal:\(source)", onCompleted: onCompleted)
        if let error = lines.failure.error { throw error }
        return state
    }

    /// `vdm summaries --journal`: the same entries through the checkpoint verifier.
    package static func summaries(source: JournalSource) throws(JournalReaderError) -> SummariesResult {
        let query = JournalQuery(since: nil, until: nil, fields: [JournalFieldName.ecsJSON, "MESSAGE"])
        let lines = JournalLines(stream: try JournalReader(source: source).entries(query))
        let result = SummariesVerifier.verify(lines: lines, name: "journal:\(source)")
        if let error = lines.failure.error { throw error }
        return result
    }
}

/// The entries' record lines as a sequence; a read error ends it and is kept for the caller.
private struct JournalLines: Sequence, IteratorProtocol {
    final class Failure { var error: JournalReaderError? }
    let stream: JournalEntryStream
    let failure = Failure()

    mutating func next() -> String? {
        guard failure.error == nil else { return nil }
        do {
            guard let entry = try stream.next() else { return nil }
            return entry.ecsJSON.map { String(decoding: $0, as: UTF8.self) } ?? entry.message ?? ""
        } catch {
            failure.error = error
            return nil
        }
    }
}

/// `--since`/`--until` values, read as journalctl reads them: `YYYY-MM-DD[ HH:MM[:SS]]` in local time,
/// ISO 8601 with a zone (`2026-11-28T10:00:00Z`), or `@` and seconds since the epoch.
package enum JournalTime {
    package static func micros(_ text: String) -> UInt64? {
        if text.hasPrefix("@") { return Double(text.dropFirst()).flatMap { micros(seconds: $0) } }
        if let date = ISO8601DateFormatter().date(from: text) { return micros(date) }
        for pattern in ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = .current
            formatter.dateFormat = pattern
            if let date = formatter.date(from: text) { return micros(date) }
        }
        return nil
    }

    private static func micros(_ date: Date) -> UInt64? { micros(seconds: date.timeIntervalSince1970) }

    /// nil for a negative, infinite, NaN or too large value (`@1e300` is input, not a trap).
    private static func micros(seconds: Double) -> UInt64? {
        let value = seconds * 1_000_000
        return value >= 0 ? UInt64(exactly: value.rounded(.down)) : nil
    }
}
