import CSystemd
import Foundation
public import LogPipeline

/// Which journal files to read.
public enum JournalSource: Sendable, Equatable, CustomStringConvertible {
    /// This machine's journals the user may read (`journalctl` with no `--directory`).
    case local
    /// This machine's system journal only, without user journals (`journalctl --system`).
    case system
    /// The files in a directory and its machine-id subdirectories (`journalctl --directory`).
    case directory(String)

    public var description: String {
        switch self {
        case .local: "local journal"
        case .system: "system journal"
        case .directory(let path): "journal directory \(path)"
        }
    }
}

/// What to read: by default every entry vdm wrote (`SYSLOG_IDENTIFIER=vandamme-proxy`), oldest first.
public struct JournalQuery: Sendable, Equatable {
    /// `SYSLOG_IDENTIFIER` to match; nil for every entry.
    public var identifier: String?
    /// Entries of the requests whose correlation id starts with this (any length; see `JournalReader`).
    public var correlationPrefix: String?
    /// Inclusive bounds on `__REALTIME_TIMESTAMP`, µs since the epoch.
    public var since: UInt64?
    public var until: UInt64?
    /// Further exact `FIELD=value` matches, all required (e.g. `MESSAGE_ID`, `VDM_INSTANCE_ID`).
    public var matches: [String: String]
    /// Fields to fetch; nil for all. Fetching only `VDM_ECS_JSON` is the fast path for replay.
    public var fields: [String]?

    public init(identifier: String? = Schema.serviceName, correlationPrefix: String? = nil, since: UInt64? = nil,
                until: UInt64? = nil, matches: [String: String] = [:], fields: [String]? = nil) {
        self.identifier = identifier
        self.correlationPrefix = correlationPrefix
        self.since = since
        self.until = until
        self.matches = matches
        self.fields = fields
    }
}

/// Reads journal entries through libsystemd's sd-journal API, streaming: one entry in memory at a time.
///
/// journald matches only whole values, so a correlation prefix is looked up through the 8-character
/// `VDM_CORRELATION_PREFIX` field: a prefix of 8 or more characters is one indexed match (then longer
/// prefixes are checked against `VDM_CORRELATION_ID`); a shorter one is first expanded to the
/// matching `VDM_CORRELATION_PREFIX` values journald knows.
public struct JournalReader: Sendable {
    public let source: JournalSource

    /// Checks the source now, so a wrong directory is reported before any reading starts.
    public init(source: JournalSource = .local) throws(JournalReaderError) {
        self.source = source
        if case .directory(let path) = source { try Self.checkDirectory(path) }
        let journal = try Self.open(source)
        defer { sd_journal_close(journal) }
        if source == .local || source == .system,
           sd_journal_has_runtime_files(journal) <= 0, sd_journal_has_persistent_files(journal) <= 0 {
            throw .nothingReadable
        }
    }

    /// A stream of the matching entries, oldest first.
    public func entries(_ query: JournalQuery = JournalQuery()) throws(JournalReaderError) -> JournalEntryStream {
        try JournalEntryStream(journal: Self.open(source), query: query)
    }

    /// Every entry of the requests whose correlation id starts with `correlationPrefix`.
    public func entries(correlationPrefix: String, identifier: String? = Schema.serviceName) throws(JournalReaderError) -> JournalEntryStream {
        try entries(JournalQuery(identifier: identifier, correlationPrefix: correlationPrefix))
    }

    /// The distinct full correlation ids starting with `prefix`, in order of first appearance; more
    /// than one means the prefix is ambiguous.
    public func correlationIDs(matchingPrefix prefix: String, identifier: String? = Schema.serviceName,
                               since: UInt64? = nil, until: UInt64? = nil) throws(JournalReaderError) -> [String] {
        let stream = try entries(JournalQuery(
            identifier: identifier, correlationPrefix: prefix, since: since, until: until,
            fields: [JournalFieldName.correlationID]))
        var seen = Set<String>()
        var ids: [String] = []
        while let entry = try stream.next() {
            if let id = entry.correlationID, seen.insert(id).inserted { ids.append(id) }
        }
        return ids
    }

    // MARK: - opening

    static func open(_ source: JournalSource) throws(JournalReaderError) -> OpaquePointer {
        var handle: OpaquePointer?
        let rc: Int32 = switch source {
        case .local: sd_journal_open(&handle, Int32(SD_JOURNAL_LOCAL_ONLY))
        case .system: sd_journal_open(&handle, Int32(SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM))
        case .directory(let path): sd_journal_open_directory(&handle, path, 0)
        }
        guard rc >= 0, let handle else { throw .openFailed(source.description, reason: errorText(-rc)) }
        // The default threshold (64 KiB) would cut long values such as VDM_ECS_JSON.
        _ = sd_journal_set_data_threshold(handle, 0)
        return handle
    }

    private static func checkDirectory(_ path: String) throws(JournalReaderError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw .directoryNotFound(path) }
        guard isDirectory.boolValue else { throw .notADirectory(path) }
        func hasJournalFiles(_ directory: String, depth: Int) -> Bool {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return false }
            for name in names {
                if name.hasSuffix(".journal") || name.hasSuffix(".journal~") { return true }
                if depth > 0, hasJournalFiles(directory + "/" + name, depth: depth - 1) { return true }
            }
            return false
        }
        guard hasJournalFiles(path, depth: 1) else { throw .noJournalFiles(path) }
    }
}

/// Matching entries, read one at a time. Owns its sd-journal handle; use from one thread.
public final class JournalEntryStream {
    private let journal: OpaquePointer
    private let query: JournalQuery
    /// Set when the prefix is longer than the indexed 8 characters.
    private let idPrefix: String?
    private var done = false

    fileprivate init(journal: OpaquePointer, query: JournalQuery) throws(JournalReaderError) {
        self.journal = journal
        self.query = query
        var idPrefix: String?
        var nothingMatches = false
        do throws(JournalReaderError) {
            if let identifier = query.identifier { try Self.addMatch(journal, "SYSLOG_IDENTIFIER", identifier) }
            for (name, value) in query.matches.sorted(by: { $0.key < $1.key }) { try Self.addMatch(journal, name, value) }
            if let prefix = query.correlationPrefix {
                if prefix.isEmpty {
                    nothingMatches = true
                } else if prefix.count >= 8 {
                    try Self.addMatch(journal, JournalFieldName.correlationPrefix, String(prefix.prefix(8)))
                    if prefix.count > 8 { idPrefix = prefix }
                } else {
                    let candidates = try Self.uniqueValues(journal, JournalFieldName.correlationPrefix).filter { $0.hasPrefix(prefix) }
                    if candidates.isEmpty { nothingMatches = true }
                    // Several values of one field are ORed by sd-journal, then ANDed with the identifier.
                    for candidate in candidates { try Self.addMatch(journal, JournalFieldName.correlationPrefix, candidate) }
                }
            }
            let rc = if let since = query.since { sd_journal_seek_realtime_usec(journal, since) } else { sd_journal_seek_head(journal) }
            guard rc >= 0 else { throw JournalReaderError.readFailed("seek", reason: errorText(-rc)) }
        } catch {
            sd_journal_close(journal)
            throw error
        }
        self.idPrefix = idPrefix
        self.done = nothingMatches
    }

    deinit { sd_journal_close(journal) }

    /// The next matching entry, or nil at the end.
    public func next() throws(JournalReaderError) -> JournalEntry? {
        while !done {
            let step = sd_journal_next(journal)
            guard step >= 0 else { throw .readFailed("next entry", reason: errorText(-step)) }
            if step == 0 {
                done = true
                break
            }
            var realtime: UInt64 = 0
            let rc = sd_journal_get_realtime_usec(journal, &realtime)
            guard rc >= 0 else { throw .readFailed("__REALTIME_TIMESTAMP", reason: errorText(-rc)) }
            if let until = query.until, realtime > until {
                done = true
                break
            }
            if let idPrefix {
                guard let id = try field(JournalFieldName.correlationID), String(decoding: id, as: UTF8.self).hasPrefix(idPrefix)
                else { continue }
            }
            return JournalEntry(fields: try fields(), realtimeMicros: realtime, cursor: try cursor())
        }
        return nil
    }

    /// Reads the rest of the stream.
    public func collect() throws(JournalReaderError) -> [JournalEntry] {
        var all: [JournalEntry] = []
        while let entry = try next() { all.append(entry) }
        return all
    }

    // MARK: - the current entry

    private func fields() throws(JournalReaderError) -> [String: [UInt8]] {
        var result: [String: [UInt8]] = [:]
        if let names = query.fields {
            for name in names {
                if let value = try field(name) { result[name] = value }
            }
            return result
        }
        var data: UnsafeRawPointer?
        var length = 0
        sd_journal_restart_data(journal)
        while true {
            let rc = sd_journal_enumerate_available_data(journal, &data, &length)
            guard rc >= 0 else { throw .readFailed("entry data", reason: errorText(-rc)) }
            guard rc > 0, let data else { break }
            let (name, value) = Self.split(UnsafeRawBufferPointer(start: data, count: length))
            if result[name] == nil { result[name] = value }
        }
        return result
    }

    private func field(_ name: String) throws(JournalReaderError) -> [UInt8]? {
        var data: UnsafeRawPointer?
        var length = 0
        let rc = sd_journal_get_data(journal, name, &data, &length)
        if rc == -ENOENT { return nil }
        guard rc >= 0, let data else { throw .readFailed(name, reason: errorText(-rc)) }
        return Self.split(UnsafeRawBufferPointer(start: data, count: length)).value
    }

    private func cursor() throws(JournalReaderError) -> String {
        var text: UnsafeMutablePointer<CChar>?
        let rc = sd_journal_get_cursor(journal, &text)
        guard rc >= 0, let text else { throw .readFailed("__CURSOR", reason: errorText(-rc)) }
        defer { free(text) }
        return String(cString: text)
    }

    /// `NAME=value` → (NAME, value bytes).
    private static func split(_ item: UnsafeRawBufferPointer) -> (name: String, value: [UInt8]) {
        guard let equals = item.firstIndex(of: UInt8(ascii: "=")) else {
            return (String(decoding: item, as: UTF8.self), [])
        }
        return (String(decoding: item[..<equals], as: UTF8.self), Array(item[(equals + 1)...]))
    }

    private static func addMatch(_ journal: OpaquePointer, _ name: String, _ value: String) throws(JournalReaderError) {
        let match = Array("\(name)=\(value)".utf8)
        let rc = match.withUnsafeBytes { sd_journal_add_match(journal, $0.baseAddress, $0.count) }
        guard rc >= 0 else { throw .readFailed("match \(name)", reason: errorText(-rc)) }
    }

    /// Every value of `name` in the journal (sd_journal_query_unique ignores matches).
    private static func uniqueValues(_ journal: OpaquePointer, _ name: String) throws(JournalReaderError) -> [String] {
        let rc = sd_journal_query_unique(journal, name)
        guard rc >= 0 else { throw .readFailed("values of \(name)", reason: errorText(-rc)) }
        var values: [String] = []
        var data: UnsafeRawPointer?
        var length = 0
        sd_journal_restart_unique(journal)
        while sd_journal_enumerate_available_unique(journal, &data, &length) > 0, let data {
            values.append(String(decoding: split(UnsafeRawBufferPointer(start: data, count: length)).value, as: UTF8.self))
        }
        return values
    }
}
