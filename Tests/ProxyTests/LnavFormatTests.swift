import Foundation
import LogPipeline
import Testing
import VDMProxy
import VDMDemo

/// contrib/lnav/vdm_ecs_log.json, in a real lnav, on the log of a real demo run: lnav's per-model sums
/// equal `vdm replay`'s, every line is a record of the format, and the opid is the correlation id.
@Suite(.serialized) struct LnavFormatTests {
    /// The model bucket of docs/metrics-api.md ("Names"), in SQL: the resolved model, else the
    /// requested one without its `provider:` prefix, else `unknown`.
    static let providerKey = #"ifnull(nullif("gen_ai.system", ''), 'unknown')"#
    static let modelKey = """
        CASE WHEN ifnull("gen_ai.request.model", '') <> '' THEN "gen_ai.request.model" \
        WHEN ifnull("vdm.requested_model", '') = '' THEN 'unknown' \
        WHEN ifnull("gen_ai.system", '') <> '' \
        AND substr("vdm.requested_model", 1, length("gen_ai.system") + 1) = "gen_ai.system" || ':' \
        THEN ifnull(nullif(substr("vdm.requested_model", length("gen_ai.system") + 2), ''), 'unknown') \
        ELSE "vdm.requested_model" END
        """
    static let perModel = """
        SELECT \(providerKey) AS provider, \(modelKey) AS model, count(*) AS requests, \
        sum("error.type" IS NOT NULL OR "error.message" IS NOT NULL) AS errors, \
        sum("vdm.usage.input_tokens") AS input_tokens, sum("gen_ai.usage.output_tokens") AS output_tokens, \
        sum("vdm.usage.cache_read_input_tokens") AS cache_read_tokens, \
        sum("vdm.usage.cache_creation_input_tokens") AS cache_creation_tokens, \
        sum("vdm.tool_calls") AS tool_calls, sum("event.duration") AS duration_ns \
        FROM \(Lnav.formatName) WHERE "event.action" = 'request.completed' GROUP BY 1, 2 ORDER BY 1, 2
        """
    static let recognition = """
        SELECT count(*) AS records, sum(log_level = 'invalid') AS invalid, count(DISTINCT "event.sequence") AS sequences, \
        min("event.sequence") AS first_sequence, max("event.sequence") AS last_sequence, \
        count("http.request.id") AS with_request_id, count(log_opid) AS with_opid, \
        sum(log_opid IS NOT "http.request.id") AS opid_mismatches, count(DISTINCT log_opid) AS operations, \
        sum("event.action" = 'request.started') AS started \
        FROM \(Lnav.formatName)
        """

    @Test(.timeLimit(.minutes(3)))
    func aDemoLogReadsCompletelyAndSumsAsReplayDoes() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vdm-lnav-demo-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try await DemoRun(requests: 120, concurrency: 8, logDirectory: directory.path).execute()
        #expect(outcome.live.unexpected.isEmpty, "\(outcome.live.unexpected)")
        let text = try String(contentsOfFile: outcome.jsonLog, encoding: .utf8)
        let lines = text.split(separator: "\n").count
        try Self.expectEveryKeyDeclared(in: text)

        let expected = try ReplayModels(try await Replay.totalsDocument(paths: [outcome.jsonLog], format: .json))
        try await Lnav.withInstalledFormat { lnav in
            let files = try await lnav.query("SELECT format FROM lnav_file", files: [outcome.jsonLog])
            #expect(files.map { $0["format"] as? String } == [Lnav.formatName])

            // Every line is a record of the format, in order, with its fields.
            let seen = try #require(try await lnav.query(Self.recognition, files: [outcome.jsonLog]).first)
            print("lnav read \(lines) lines: \(seen)")
            #expect(seen["records"] as? Int == lines)
            #expect(seen["invalid"] as? Int == 0)
            #expect(seen["sequences"] as? Int == lines)
            #expect(seen["first_sequence"] as? Int == 1)
            #expect(seen["last_sequence"] as? Int == lines)
            // The opid is the full correlation id on every record that has one, and only there.
            #expect(seen["opid_mismatches"] as? Int == 0)
            #expect((seen["with_opid"] as? Int ?? 0) > 0)
            #expect(seen["with_opid"] as? Int == seen["with_request_id"] as? Int)
            #expect(seen["operations"] as? Int == 120)
            #expect(seen["started"] as? Int == 120)

            // Per provider and model, the same numbers as vdm replay.
            let rows = try await lnav.query(Self.perModel, files: [outcome.jsonLog])
            var fromLnav: [ReplayModels.Key: ReplayModels.Counters] = [:]
            for row in rows {
                let key = ReplayModels.Key(provider: row["provider"] as? String ?? "?", model: row["model"] as? String ?? "?")
                fromLnav[key] = ReplayModels.Counters(
                    requests: row["requests"] as? Int ?? -1, errors: row["errors"] as? Int ?? -1,
                    inputTokens: row["input_tokens"] as? Int ?? -1, outputTokens: row["output_tokens"] as? Int ?? -1,
                    cacheReadTokens: row["cache_read_tokens"] as? Int ?? -1, cacheCreationTokens: row["cache_creation_tokens"] as? Int ?? -1,
                    toolCalls: row["tool_calls"] as? Int ?? -1,
                    durationMillis: Double(row["duration_ns"] as? Int ?? -1) / 1_000_000)
            }
            print("lnav per model: \(fromLnav.sorted { "\($0.key)" < "\($1.key)" }.map { "\($0.key.provider)/\($0.key.model) \($0.value)" })")
            #expect(Set(fromLnav.keys) == Set(expected.models.keys))
            #expect(expected.models.count >= 3, "the demo uses several providers and models")
            #expect(fromLnav.values.reduce(0) { $0 + $1.requests } == 120)
            #expect(fromLnav.values.contains { $0.errors > 0 } && fromLnav.values.contains { $0.cacheReadTokens > 0 })
            for (key, replayed) in expected.models {
                let summed = try #require(fromLnav[key], "\(key) missing in lnav's result")
                #expect(summed.matches(replayed), "\(key): lnav \(summed) replay \(replayed)")
            }
        }
    }

    /// The recognition check above can fail: a line that is not a record shows up.
    @Test
    func aLineThatIsNotARecordIsNoticed() async throws {
        let samples = try Self.formatSamples()
        #expect(samples.count >= 2)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("vdm-lnav-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: file) }
        try (samples + ["vdm: journald output failed; records go to syslog from now on"]).joined(separator: "\n").appending("\n")
            .write(to: file, atomically: true, encoding: .utf8)
        try await Lnav.withInstalledFormat { lnav in
            let seen = try #require(try await lnav.query(Self.recognition, files: [file.path]).first)
            #expect(seen["records"] as? Int == samples.count + 1)
            #expect(seen["invalid"] as? Int == 1)
            #expect(seen["sequences"] as? Int == samples.count)
        }
    }

    /// lnav exits 0 when a query fails; `Lnav.query` must see the failure anyway. (The column is
    /// unquoted on purpose: SQLite reads a double-quoted name that is no column as a string literal,
    /// which is why the sums above are checked against replay rather than trusted.)
    @Test
    func aFailingQueryFailsTheTestDespiteExitStatusZero() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("vdm-lnav-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: file) }
        try (try Self.formatSamples().joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        try await Lnav.withInstalledFormat { lnav in
            let raw = try await lnav.run(["-n", "-c", ";SELECT no_such_field FROM vdm_ecs_log", "-c", ":write-json-to -", file.path])
            #expect(raw.status == 0)
            #expect(raw.stderr.contains("no such column"))
            await #expect(throws: TestFailure.self) {
                try await lnav.query("SELECT no_such_field FROM vdm_ecs_log", files: [file.path])
            }
        }
    }

    /// Every key the log holds is declared in the format, integers as `integer`, so lnav's SQL sums
    /// numbers (not strings) and a field added to the schema without a declaration is noticed.
    static func expectEveryKeyDeclared(in log: String) throws {
        let format = try JSONSerialization.jsonObject(with: Data(contentsOf: Lnav.formatFile)) as? [String: Any]
        let definition = try #require(format?[Lnav.formatName] as? [String: Any])
        let values = definition["value"] as? [String: [String: Any]] ?? [:]
        let structural = [definition["timestamp-field"], definition["level-field"], definition["body-field"]].compactMap { $0 as? String }
        var kinds: [String: Set<String>] = [:]
        for line in log.split(separator: "\n") {
            guard case .object(let members) = try JSONValue.parse(Array(line.utf8)) else { throw TestFailure("not an object: \(line)") }
            for (key, value) in members {
                let kind = switch value {
                case .number(let literal): literal.allSatisfy { $0.isNumber || $0 == "-" } ? "integer" : "float"
                case .bool: "boolean"
                case .object, .array: "json"
                case .string, .null: "string"
                }
                kinds[key, default: []].insert(kind)
            }
        }
        #expect(kinds.count > 40, "a demo log uses most of the schema")
        for (key, seen) in kinds.sorted(by: { $0.key < $1.key }) where !structural.contains(key) {
            let declared = values[key]?["kind"] as? String
            #expect(declared != nil, "\(key) is in the log but not declared in the lnav format")
            if seen == ["integer"] { #expect(declared == "integer", "\(key) holds integers, declared \(declared ?? "nothing")") }
        }
    }

    /// The sample lines of the format file (lnav checks them on load; they are records as vdm writes them).
    static func formatSamples() throws -> [String] {
        let format = try JSONSerialization.jsonObject(with: Data(contentsOf: Lnav.formatFile)) as? [String: Any]
        let samples = (format?[Lnav.formatName] as? [String: Any])?["sample"] as? [[String: Any]] ?? []
        return samples.compactMap { $0["line"] as? String }
    }
}

/// `vdm replay --format json`'s per-model totals (`providers.<p>.models.<m>.total`).
struct ReplayModels {
    struct Key: Hashable, CustomStringConvertible {
        var provider: String
        var model: String
        var description: String { "\(provider)/\(model)" }
    }

    struct Counters: CustomStringConvertible {
        var requests, errors, inputTokens, outputTokens, cacheReadTokens, cacheCreationTokens, toolCalls: Int
        var durationMillis: Double

        /// Exact on the counts; the duration to the 3 decimals replay prints.
        func matches(_ other: Counters) -> Bool {
            counts == other.counts && abs(durationMillis - other.durationMillis) < 0.0005
        }

        private var counts: [Int] { [requests, errors, inputTokens, outputTokens, cacheReadTokens, cacheCreationTokens, toolCalls] }

        var description: String {
            "requests \(requests) errors \(errors) input \(inputTokens) output \(outputTokens) cache_read \(cacheReadTokens) "
                + "cache_creation \(cacheCreationTokens) tool_calls \(toolCalls) duration_ms \(durationMillis)"
        }
    }

    let models: [Key: Counters]

    init(_ json: String) throws {
        let document = try JSONTestValue.object(json)
        guard let providers = document["providers"] as? [String: Any] else { throw TestFailure("no providers in \(json.prefix(300))") }
        var models: [Key: Counters] = [:]
        for (provider, value) in providers {
            for (model, entry) in (value as? [String: Any])?["models"] as? [String: Any] ?? [:] {
                guard let total = (entry as? [String: Any])?["total"] as? [String: Any] else { throw TestFailure("no total for \(model)") }
                func int(_ key: String) -> Int { total[key] as? Int ?? -1 }
                models[Key(provider: provider, model: model)] = Counters(
                    requests: int("requests"), errors: int("errors"), inputTokens: int("input_tokens"), outputTokens: int("output_tokens"),
                    cacheReadTokens: int("cache_read_tokens"), cacheCreationTokens: int("cache_creation_tokens"),
                    toolCalls: int("tool_calls"), durationMillis: total["total_duration_ms"] as? Double ?? -1)
            }
        }
        self.models = models
    }
}
