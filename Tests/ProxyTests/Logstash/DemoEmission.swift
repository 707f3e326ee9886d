import Foundation
import Journald
import LogPipeline
import Synchronization
import VDMProxy
import VDMDemo

/// What real `vdm demo` runs emit, shared by the Logstash and Elasticsearch tests: the ECS JSON lines
/// and, for the same records, the journal entries the journald sink writes.
///
/// Two runs, so that every optional field appears: both with `VDM_LOG_ORIGIN=1` (`log.origin.*`); one
/// at the default level, where the downgrade filter relabels the libraries' INFO lines
/// (`vdm.original_level`), one at `LOG_LEVEL=debug`, where the libraries' lines carry metadata
/// (`labels.*`). Under `scripts/with-journald` the proxy also logs to the private journald and the
/// entries are read back from it; elsewhere they are the journald sink's encoding of each record
/// (`JournalEntryEncoder`, the code that builds what the sink sends).
struct DemoEmission: Sendable {
    struct JournalRecord: Sendable {
        var fields: [String: String]
        var realtimeMicros: Int64
    }

    struct Run: Sendable {
        var jsonPath: String
        var lines: [String]
        var records: [JSONValue]
        var journal: [JournalRecord]
        /// The journald sink's encoding of the same records (what `journal` is without journald).
        var encodedJournal: [JournalRecord]
        var requests: Int

        /// The record with a given `event.sequence`.
        func record(sequence: Int) -> JSONValue? { records.first { $0["event.sequence"]?.int == sequence } }
    }

    var runs: [Run]
    /// `journald` (read back from the private journald) or `encoder`.
    var journalSource: String

    var records: [JSONValue] { runs.flatMap(\.records) }

    /// `vdm replay --format json` over the runs' JSON logs (the same reader and aggregation, fed the
    /// lines already read).
    func replayJSON() throws -> String {
        var state = ReplayState()
        for run in runs { state.merge(Replay.state(lines: run.lines, name: run.jsonPath)) }
        return TotalsFormat.json.render(try state.runningTotals(), generatedMicros: 0)
    }
    var requests: Int { runs.map(\.requests).reduce(0, +) }
    var journal: [JournalRecord] { runs.flatMap(\.journal) }
    var encodedJournal: [JournalRecord] { runs.flatMap(\.encodedJournal) }

    static let shared = Task { try await DemoEmission.make() }

    static var journalDirectory: String? { ProcessInfo.processInfo.environment["VDM_TEST_JOURNAL_DIR"] }

    private static func make() async throws -> DemoEmission {
        var runs: [Run] = []
        for level in ["INFO", "DEBUG"] {
            runs.append(try await run(env: ["VDM_LOG_ORIGIN": "1", "LOG_LEVEL": level]))
        }
        return DemoEmission(runs: runs, journalSource: journalDirectory == nil ? "encoder" : "journald")
    }

    private static func run(env extra: [String: String]) async throws -> Run {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vdm-elk-\(UUID().uuidString)").path
        let encoded = JournalEncodingSink()
        var env = extra
        if journalDirectory != nil { env["VDM_LOG_TARGET"] = "journald" }
        let requests = 120
        let demo = DemoRun(requests: requests, concurrency: 8, logDirectory: directory, extraEnv: env, extraSinks: [encoded])
        let outcome = try await demo.execute()
        guard outcome.live.unexpected.isEmpty else { throw TestFailure("demo: unexpected statuses \(outcome.live.unexpected)") }
        let lines = try String(contentsOfFile: outcome.jsonLog, encoding: .utf8).split(separator: "\n").map(String.init)
        // Everything is in memory from here on (replay reads the lines too).
        try? FileManager.default.removeItem(atPath: directory)
        let records = try lines.map { try JSONValue.parse($0) }
        var journal = encoded.entries
        if let journalDirectory {
            let instance = records.first?[FieldName.instanceID.name]?.string ?? ""
            // If journald lost records the proxy says why on /metrics: its fallback, and its drops.
            let why = outcome.live.prometheus.split(separator: "\n")
                .filter { $0.hasPrefix("vdm_log_sink_fallback") || $0.hasPrefix("vdm_log_records_dropped_total{sink=\"journald\"}") }
            journal = try await readBack(directory: journalDirectory, instance: instance, count: records.count,
                                         proxySaid: why.joined(separator: "; "))
        }
        return Run(jsonPath: outcome.jsonLog, lines: lines, records: records, journal: journal, encodedJournal: encoded.entries, requests: requests)
    }

    /// The instance's entries from the private journald, once it has stored all of them.
    private static func readBack(directory: String, instance: String, count: Int, proxySaid: String) async throws -> [JournalRecord] {
        var entries: [JournalEntry] = []
        // journald stores asynchronously; generous for a loaded machine running the whole suite.
        _ = try await Deadline.holds(within: .seconds(30), poll: .milliseconds(100)) {
            let reader = try JournalReader(source: .directory(directory))
            entries = try reader.entries(JournalQuery(matches: [JournalFieldName.instanceID: instance])).collect()
            return entries.count >= count
        }
        guard entries.count == count else {
            throw TestFailure("journald holds \(entries.count) of the run's \(count) records; the proxy's /metrics: \(proxySaid.isEmpty ? "no fallback or drop series" : proxySaid)")
        }
        return entries.map { entry in
            JournalRecord(fields: entry.fields.mapValues { String(decoding: $0, as: UTF8.self) }, realtimeMicros: Int64(entry.realtimeMicros))
        }
    }
}

/// Encodes each record as the journald sink does and keeps the entries' fields.
final class JournalEncodingSink: LogSink {
    let name = "journal-encoding"
    private let state = Mutex<(encoder: JournalEntryEncoder, entries: [DemoEmission.JournalRecord])>(
        (JournalEntryEncoder(ecsEncoder: ECSJSONEncoder(includeOrigin: true)), []))

    func write(_ record: LogRecord) {
        state.withLock { state in
            state.encoder.encode(record)
            var fields: [String: String] = [:]
            for range in state.encoder.fields {
                let item = state.encoder.bytes[range]
                guard let equals = item.firstIndex(of: UInt8(ascii: "=")) else { continue }
                fields[String(decoding: item[item.startIndex..<equals], as: UTF8.self)] = String(decoding: item[(equals + 1)...], as: UTF8.self)
            }
            state.entries.append(.init(fields: fields, realtimeMicros: record.timestampMicros))
        }
    }

    func flush() {}

    var entries: [DemoEmission.JournalRecord] { state.withLock { $0.entries } }
}

extension DemoEmission {
    /// Every dotted leaf path of every record.
    var recordPaths: Set<String> { Set(recordKinds.keys) }

    /// The JSON kinds seen at each dotted leaf path, over all records.
    var recordKinds: [String: Set<String>] {
        var out: [String: Set<String>] = [:]
        for record in records {
            for (path, kinds) in RecordFields.kinds(record) { out[path, default: []].formUnion(kinds) }
        }
        return out
    }

    /// What each pipeline's input receives for these runs, in the order it receives it.
    func shipperEvents(_ pipelineID: String) throws -> [LogstashEvent] {
        switch pipelineID {
        case "vdm-file":
            return try runs.flatMap { run in try run.lines.map { try ShipperEvents.file(line: $0, path: run.jsonPath) } }
        case "vdm-beats":
            return runs.flatMap { run in
                var offset: Int64 = 0
                return run.lines.map { line in
                    defer { offset += Int64(line.utf8.count + 1) }
                    return ShipperEvents.filestream(line: line, path: run.jsonPath, offset: offset)
                }
            }
        case "vdm-journald":
            return journal.map { ShipperEvents.journald(entry: $0.fields, realtimeMicros: $0.realtimeMicros) }
        default:
            throw TestFailure("unknown pipeline \(pipelineID)")
        }
    }

    /// The JSON logs' records in the order `shipperEvents` delivers them (a journal entry is matched
    /// to the JSON line of its run with the same `event.sequence`).
    func recordsInShippedOrder(_ pipelineID: String) -> [JSONValue] {
        guard pipelineID == "vdm-journald" else { return records }
        return runs.flatMap { run in
            run.journal.map { entry in Int(entry.fields[JournalFieldName.sequence] ?? "").flatMap(run.record(sequence:)) ?? .null }
        }
    }
}
