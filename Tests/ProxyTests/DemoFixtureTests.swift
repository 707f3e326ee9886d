import Foundation
import LogPipeline
import Testing
import VDMProxy
import VDMDemo

/// fixtures/demo: one real `vdm demo` run logged to a JSON lines file, a console file and a real
/// journald at once (scripts/make-fixtures), with the expected outputs of `vdm replay`. Every reader
/// must agree on them, through the library and through the real `vdm` binary.
@Suite struct DemoFixtureTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let directory = root.appendingPathComponent("fixtures/demo")
    static let jsonLines = path("demo.jsonl")
    static let journalExports = [path("demo.journal.json"), path("demo.journal.export")]
    static let expectedYAML = path("expected.yaml")
    static let expectedProm = path("expected.prom")

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    static func text(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    static func yaml(_ state: ReplayState) throws -> String {
        TotalsFormat.yaml.comparable(TotalsFormat.yaml.render(try state.runningTotals(), generatedMicros: WallClock.nowMicros()))
    }

    /// The completed requests the JSON file holds, counted without the analyzer.
    static func completedLines() throws -> Int {
        try text(jsonLines).split(separator: "\n").filter { $0.contains(#""event.action":"request.completed""#) }.count
    }

    /// The `vdm trace PREFIX fixtures/demo/demo.jsonl` example of the README.
    static func readmeTracePrefix() throws -> String {
        let readme = try text(root.appendingPathComponent("README.md").path)
        let pattern = try Regex(#"vdm trace ([0-9a-f]{8}) fixtures/demo/demo\.jsonl"#)
        guard let match = readme.firstMatch(of: pattern), let prefix = match.output[1].substring else {
            throw TestFailure("README.md has no `vdm trace PREFIX fixtures/demo/demo.jsonl` example")
        }
        return String(prefix)
    }

    @Test func theRunIsSmallMixedAndComplete() async throws {
        let state = try await Replay.run(paths: [Self.jsonLines])
        let completed = try Self.completedLines()
        #expect((40...60).contains(completed))
        #expect(state.completedRequests == completed)
        #expect(ReplayReport.Usage(state).notUsed == 0)
        #expect(state.problems.isEmpty)
        #expect(state.looseEnds.count == 0)
        let totals = try state.aggregate().totals
        #expect(totals.errors > 0)
        #expect(totals.cacheReadTokens > 0)
        #expect(totals.toolCalls > 0)
        let yaml = try Self.text(Self.expectedYAML)
        for needle in ["  openai:\n", "  anthropic:\n", "streaming:", "non_streaming:"] {
            #expect(yaml.contains(needle), "expected.yaml lacks \(needle)")
        }
        let size = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path).reduce(0) { sum, name in
            sum + ((try? FileManager.default.attributesOfItem(atPath: Self.path(name))[.size] as? Int) ?? 0)
        }
        #expect(size < 1 << 20, "fixtures/demo holds \(size) bytes")
    }

    @Test func replayOfTheJSONLinesEqualsTheExpectedYAML() async throws {
        let state = try await Replay.run(paths: [Self.jsonLines])
        #expect(try Self.yaml(state) == TotalsFormat.yaml.comparable(try Self.text(Self.expectedYAML)))
    }

    @Test(arguments: journalExports)
    func replayOfTheJournalEqualsTheSameYAML(export: String) async throws {
        let state = try await Replay.run(paths: [export])
        #expect(try Self.yaml(state) == TotalsFormat.yaml.comparable(try Self.text(Self.expectedYAML)))
        #expect(state.problems.isEmpty)
        #expect(state.completedRequests == (try Self.completedLines()))
        #expect(state.inputs.first?.stats.format == (export.hasSuffix(".export") ? .journalExport : .jsonLines))
    }

    /// Both outputs of the run hold the same records: every JSON line is one journal entry's VDM_ECS_JSON.
    @Test func theJournalHoldsExactlyTheRecordsOfTheJSONFile() throws {
        let lines = try Self.text(Self.jsonLines).split(separator: "\n").map(String.init)
        let entries = try Self.text(Self.journalExports[0]).split(separator: "\n").map { line -> String in
            let entry = try JSONTestValue.object(String(line))
            guard let record = entry["VDM_ECS_JSON"] as? String else { throw TestFailure("entry without VDM_ECS_JSON: \(line.prefix(200))") }
            #expect(entry["SYSLOG_IDENTIFIER"] as? String == "vandamme-proxy")
            return record
        }
        #expect(entries.count == lines.count)
        #expect(entries.sorted() == lines.sorted())
    }

    @Test func summariesProveTheFixtureComplete() throws {
        for path in [Self.jsonLines] + Self.journalExports {
            let result = try SummariesVerifier.verify(paths: [path])
            #expect(result.isComplete, "\(path): \(result.text())")
            #expect(result.instances.count == 1)
            #expect((result.instances.first?.verified ?? 0) >= 1, "\(path): no checkpoint verified")
        }
    }

    @Test func prometheusReplayEqualsTheExpectedText() async throws {
        let expected = try Self.text(Self.expectedProm)
        for path in [Self.jsonLines] + Self.journalExports {
            let (_, exposition) = try await ReplayExposition.run(paths: [path])
            #expect(exposition == expected, "\(path)")
        }
        #expect(PrometheusSamples(expected).sum("vdm_requests_total") == Double(try Self.completedLines()))
    }

    /// `--provider` keeps that provider's series, with the values of the whole exposition.
    @Test func prometheusReplayFiltersByProvider() async throws {
        let whole = PrometheusSamples(try Self.text(Self.expectedProm))
        let (_, exposition) = try await ReplayExposition.run(paths: [Self.jsonLines], filter: TotalsFilter(provider: "anth*"))
        let filtered = PrometheusSamples(exposition)
        #expect(Set(filtered.samples.compactMap { $0.labels["provider"] }) == ["anthropic"])
        for name in ["vdm_requests_total", "vdm_tokens_total", "vdm_request_errors_total", "vdm_request_duration_seconds_count"] {
            let expected = whole.sum(name) { $0["provider"] == "anthropic" }
            #expect(expected > 0 && filtered.sum(name) == expected, "\(name)")
        }
    }

    @Test
    func promtoolAcceptsTheExpectedText() async throws {
        let result = try await ExternalTool.run(try ExternalTool.require("promtool"), ["check", "metrics"], input: Array(try Self.text(Self.expectedProm).utf8))
        #expect(result.status == 0 && result.stdout.isEmpty && result.stderr.isEmpty, "\(result.stdout)\(result.stderr)")
    }

    @Test func traceFindsTheREADMEExampleInEveryOutput() throws {
        let prefix = try Self.readmeTracePrefix()
        for path in [Self.jsonLines] + Self.journalExports {
            guard case .found(let trace) = try TraceCollector.trace(prefix: prefix, paths: [path]) else {
                Issue.record("\(path): \(prefix) does not match exactly one request")
                continue
            }
            #expect(trace.requestID.hasPrefix(prefix))
            #expect(trace.started != nil)
            #expect(trace.completed?.isStreaming == true)
            #expect((trace.completed?.toolCalls ?? 0) > 0)
            #expect(trace.timeline.count >= 4)
        }
        // The console file of the same run shows that request under the same prefix.
        let console = try Self.text(Self.path("demo.log")).split(separator: "\n").filter { $0.contains("[\(prefix)]") }
        #expect(console.count >= 2)
    }

    /// The fake keys the demo ran with appear only as redaction hashes.
    @Test func noFixtureHoldsKeyMaterial() throws {
        let keyLike = try Regex(#"sk-[A-Za-z0-9_\-]{8,}"#)
        let files = try FileManager.default.subpathsOfDirectory(atPath: Self.root.appendingPathComponent("fixtures").path)
        #expect(files.contains("demo/demo.jsonl"))
        // fuzz/redactor/ is the redactor's fuzz seed corpus: made-up keys of every shape, there to be found.
        for name in files where !name.hasPrefix("fuzz/redactor/") {
            let path = Self.root.appendingPathComponent("fixtures").appendingPathComponent(name).path
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
            #expect(!text.contains(DemoRun.openAIKey) && !text.contains(DemoRun.anthropicKey), "\(name)")
            let keyMaterial = text.firstMatch(of: keyLike).map { String(text[$0.range]) }
            #expect(keyMaterial == nil, "\(name)")
        }
        // The keys were there: the start-up lines name both providers' keys by their hash.
        for name in ["demo.jsonl", "demo.log", "demo.journal.json"] {
            let text = try Self.text(Self.path(name))
            #expect(text.contains("Key: sha256:\(SecretHash.short(DemoRun.openAIKey))"), "\(name)")
            #expect(text.contains("Key: sha256:\(SecretHash.short(DemoRun.anthropicKey))"), "\(name)")
        }
    }
}

/// The same fixtures through the real `vdm` executable (the CLI path: argument parsing, stdout/stderr,
/// exit status).
@Suite struct DemoFixtureCLITests {
    static func vdm(_ arguments: [String]) async throws -> ExternalTool.Output {
        #expect(FileManager.default.isExecutableFile(atPath: ServeProcessTests.binary), "build the vdm product first (swift build)")
        return try await ExternalTool.run(ServeProcessTests.binary, arguments)
    }

    @Test func replayPrintsTheExpectedYAMLAndReportsEveryRecordUsed() async throws {
        let run = try await Self.vdm(["replay", "--strict", DemoFixtureTests.jsonLines])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(TotalsFormat.yaml.comparable(run.stdout) == TotalsFormat.yaml.comparable(try DemoFixtureTests.text(DemoFixtureTests.expectedYAML)))
        #expect(run.stderr.contains(", 0 lines or records not used\n"), "\(run.stderr)")
    }

    @Test func replayOfTheJournalAsJSONAndPrometheus() async throws {
        let export = DemoFixtureTests.journalExports[0]
        let json = try await Self.vdm(["replay", "--quiet", "--format", "json", export])
        #expect(json.status == 0)
        let summary = try JSONTestValue.object(json.stdout)["summary"] as? [String: Any]
        #expect(summary?["total_requests"] as? Int == (try DemoFixtureTests.completedLines()))
        let prom = try await Self.vdm(["replay", "--quiet", "--format", "prometheus", export])
        #expect(prom.status == 0)
        #expect(prom.stdout == (try DemoFixtureTests.text(DemoFixtureTests.expectedProm)))
        let rejected = try await Self.vdm(["replay", "--format", "prometheus", "--by-instance", export])
        #expect(rejected.status == 64, "\(rejected.stderr)")
    }

    @Test func summariesAndTrace() async throws {
        let summaries = try await Self.vdm(["summaries", DemoFixtureTests.jsonLines])
        #expect(summaries.status == 0, "\(summaries.stdout)")
        let prefix = try DemoFixtureTests.readmeTracePrefix()
        let trace = try await Self.vdm(["trace", prefix, DemoFixtureTests.journalExports[1]])
        #expect(trace.status == 0, "\(trace.stdout)\(trace.stderr)")
        #expect(trace.stdout.contains(prefix))
    }
}
