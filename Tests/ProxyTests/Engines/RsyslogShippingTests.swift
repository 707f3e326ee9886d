import Foundation
import LogPipeline
import Testing
@testable import MockUpstream
@testable import VDMProxy
import VDMBench
import VDMDemo

/// The shipping path of `contrib/rsyslog/vdm.conf`, end to end with real components: a real
/// `vdm serve` (the built binary) over the real mock upstream, under a few hundred requests (streams,
/// upstream errors, cut streams, client errors), writes its JSON log; a private rsyslogd tails it
/// (imfile, mmjsonparse) and bulk-indexes it (omelasticsearch) into a real OpenSearch-compatible
/// engine. Every record arrives once, field for field, and the engine's totals equal `vdm replay`.
@Suite struct RsyslogShippingTests {
    static let requests = 300

    @Test func everyRecordArrivesOnceAndTheEnginesTotalsEqualReplay() async throws {
        try await SearchEngine.with { engine in
            try await SearchEngineTests.installStrict(engine)
            let index = "vdm-strict-rsyslog"
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vdm-rsyslog-serve-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let json = dir + "/vdm.json"
            let shipper = try await RsyslogShipper(jsonLog: json, engine: engine, index: index)
            defer { shipper.removeFiles() }

            try await MockUpstream.withRunning { mock in
                let served = try await ServedProcess(
                    arguments: ["--log-json", json],
                    env: ["OPENAI_API_KEY": "sk-rsyslog-ship-0123456789abcdefghij", "OPENAI_BASE_URL": mock.baseURL + "/v1",
                          "ANTHROPIC_API_KEY": E2E.anthropicKey, "ANTHROPIC_BASE_URL": mock.baseURL,
                          "REQUEST_TIMEOUT": "10", "VDM_DEFAULT_PROVIDER": "openai", "LOG_SUMMARY_INTERVAL": "40"],
                    output: try openForWriting(dir + "/serve.out"))
                let (counts, unexpected) = try await DemoTraffic.send(DemoWorkload.requests(count: Self.requests), to: served.baseURL, concurrency: 12)
                #expect(unexpected.isEmpty, "\(unexpected)")
                #expect(counts.values.reduce(0, +) == Self.requests)
                #expect(counts.keys.contains(500) && counts.keys.contains(429) && counts.keys.contains(404) && counts.keys.contains(400), "\(counts)")
                // SIGTERM: the proxy finishes and flushes its JSON log, then exits.
                #expect(try await served.stop() == 0)
            }
            let lines = try String(contentsOfFile: json, encoding: .utf8).split(separator: "\n").map(String.init)
            let records = try lines.map { try JSONValue.parse($0) }
            #expect(records.count > 2 * Self.requests)

            // rsyslog ships asynchronously: wait (bounded) until the engine holds as many as the file.
            try await Deadline.waitUntil("the engine holds as many records as the JSON log (\(records.count))", timeout: .seconds(180)) {
                _ = try await engine.call(.POST, "/\(index)/_refresh")
                return try await engine.count(index) >= records.count
            }
            // rsyslog stopped (its queue drained) before the final count: nothing more can arrive.
            let status = await shipper.stop()
            #expect(status == 0, "rsyslogd: \(RsyslogShipper.text(shipper.outputFile))")
            #expect(RsyslogShipper.text(shipper.errorFile).isEmpty, "records the engine rejected: \(RsyslogShipper.text(shipper.errorFile).prefix(2000))")
            #expect(RsyslogShipper.text(shipper.unparsedFile).isEmpty, "lines that did not parse: \(RsyslogShipper.text(shipper.unparsedFile).prefix(2000))")

            // None lost, none duplicated: the (instance, sequence) pairs, and each record field for field.
            let documents = try await engine.documents(index)
            func key(_ record: JSONValue) -> String {
                "\(record[EngineFields.instance]?.string ?? "?")#\(record[EngineFields.sequence]?.int ?? -1)"
            }
            let shipped = Dictionary(grouping: documents, by: key)
            let written = Dictionary(records.map { (key($0), $0) }, uniquingKeysWith: { first, _ in first })
            #expect(written.count == records.count, "the JSON log itself repeats an (instance, sequence)")
            #expect(documents.count == records.count, "the engine holds \(documents.count) of \(records.count) records")
            #expect(shipped.filter { $0.value.count > 1 }.isEmpty, "duplicated: \(shipped.filter { $0.value.count > 1 }.keys.sorted().prefix(10))")
            #expect(Set(written.keys).subtracting(shipped.keys).isEmpty, "lost: \(Set(written.keys).subtracting(shipped.keys).sorted().prefix(10))")
            var differing: [String] = []
            for (key, record) in written where shipped[key]?.first.map(Self.canonical) != Self.canonical(record) { differing.append(key) }
            #expect(differing.isEmpty, "\(differing.count) records changed on the way, e.g. \(differing.prefix(3))")

            // The engine's totals equal the real `vdm replay --format json` of the same file.
            let replay = try await ExternalTool.run(ServeProcessTests.binary, ["replay", "--format", "json", "--quiet", json])
            #expect(replay.status == 0, "\(replay.stderr)")
            let expected = try EngineTotals(replayJSON: replay.stdout)
            #expect(expected.requests == Self.requests)
            let totals = try EngineTotals(engineReply: try await engine.search(index, try SearchEngineTests.bytes(EngineTotals.aggregationFile)))
            #expect(totals == expected, "engine:\n\(totals)\nreplay:\n\(expected)")
        }
    }

    /// The config's two error outputs: a record the engine rejects (a string in a token count) lands
    /// in `errorFile` with the engine's reason, a line that is not JSON in the unparsed file; the
    /// good record beside them is indexed, and nothing is retried into the index.
    @Test func aRejectedRecordAndALineThatIsNotJSONLandInTheErrorFiles() async throws {
        let demo = try await DemoEmission.shared.value
        let completed = try #require(demo.runs.first?.lines.first { $0.contains(#""\#(EngineFields.action)":"\#(EngineFields.completed)""#) })
        let wrong = String(decoding: try JSONValue.parse(completed).setting(EngineFields.inputTokens, to: .string("twelve")).serialized(), as: UTF8.self)
        let notJSON = "not a record: \(UUID().uuidString)"
        try await SearchEngine.with { engine in
            try await SearchEngineTests.installStrict(engine)
            let index = "vdm-strict-rsyslog-errors"
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vdm-rsyslog-errors-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let json = dir + "/vdm.json"
            try ([completed, wrong, notJSON].joined(separator: "\n") + "\n").write(toFile: json, atomically: true, encoding: .utf8)
            let shipper = try await RsyslogShipper(jsonLog: json, engine: engine, index: index)
            defer { shipper.removeFiles() }
            try await Deadline.waitUntil("rsyslog has shipped, rejected and set aside the three lines", timeout: .seconds(120)) {
                _ = try await engine.call(.POST, "/\(index)/_refresh")
                return try await engine.count(index) == 1 && RsyslogShipper.text(shipper.errorFile).contains("twelve")
                    && RsyslogShipper.text(shipper.unparsedFile).contains(notJSON)
            }
            #expect(await shipper.stop() == 0, "rsyslogd: \(RsyslogShipper.text(shipper.outputFile))")
            #expect(try await engine.count(index) == 1)
            let rejected = RsyslogShipper.text(shipper.errorFile)
            #expect(rejected.contains("mapper_parsing_exception"), "\(rejected.prefix(2000))")
            #expect(rejected.contains(EngineFields.inputTokens), "\(rejected.prefix(2000))")
            #expect(!RsyslogShipper.text(shipper.unparsedFile).contains("twelve"), "the typed-wrong record is JSON: it must not be set aside as unparsed")
            let indexed = try await engine.documents(index)
            #expect(indexed.map(Self.canonical) == [Self.canonical(try JSONValue.parse(completed))])
        }
    }

    /// A JSON value with every object's members sorted by key (the engine may reorder them).
    static func canonical(_ value: JSONValue) -> JSONValue {
        switch value {
        case let .object(members): .object(members.map { (key: $0.key, value: canonical($0.value)) }.sorted { $0.key < $1.key })
        case let .array(items): .array(items.map(canonical))
        default: value
        }
    }
}
