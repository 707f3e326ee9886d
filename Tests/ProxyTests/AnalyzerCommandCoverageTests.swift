import Foundation
import RealComponent
import Testing

/// The analyzer's options that nothing else reaches, through the real `vdm` executable: `--strict`'s
/// exit status, `replay -` (stdin), `replay --state` + `merge` (and `merge --state`), `--since` /
/// `--until` on a journal, `summaries --json` and `summaries --journal`. The oracle is a hand-written
/// record set whose totals are written below as literals.
@Suite struct AnalyzerCommandCoverageTests {
    /// One completed request: 10 input, 20 output, 3 cache read, 4 cache write tokens, 2 tool calls.
    static func completed(seq: Int, instance: String = "inst-cov") -> String {
        #"{"@timestamp":"2026-11-28T23:08:09.382331Z","log.level":"info","message":"SUCCESS","ecs.version":"8.11.0","log.logger":"vdm.request","service.name":"vandamme-proxy","service.instance.id":"\#(instance)","event.sequence":\#(seq),"http.request.id":"cov-\#(seq)","vdm.schema":1,"event.action":"request.completed","vdm.requested_model":"openai:gpt-4o","gen_ai.provider.name":"openai","gen_ai.request.model":"gpt-4o","vdm.streaming":false,"event.outcome":"success","http.response.status_code":200,"vdm.usage.input_tokens":10,"gen_ai.usage.output_tokens":20,"gen_ai.usage.cache_read.input_tokens":3,"gen_ai.usage.cache_creation.input_tokens":4,"gen_ai.usage.input_tokens":17,"vdm.tool_uses":1,"vdm.tool_results":1,"vdm.tool_calls":2,"vdm.message_count":3,"http.request.body.bytes":1234,"http.response.body.bytes":567,"vdm.start_us":1700000000000000,"event.duration":100000000,"vdm.upstream_duration_ns":90000000,"vdm.first_token_ns":0}"#
    }

    static func lines(_ seqs: ClosedRange<Int>) -> String { seqs.map { completed(seq: $0) + "\n" }.joined() }

    /// The summary lines of `n` such requests, as the YAML renders them.
    static func summary(requests n: Int) -> [String] {
        ["  total_requests: \(n)\n", "  total_errors: 0\n", "  total_input_tokens: \(10 * n)\n", "  total_output_tokens: \(20 * n)\n",
         "  total_cache_read_tokens: \(3 * n)\n", "  total_cache_creation_tokens: \(4 * n)\n", "  total_tool_calls: \(2 * n)\n"]
    }

    static func expectSummary(_ output: ExternalTool.Output, requests n: Int, _ what: String) {
        for line in summary(requests: n) {
            #expect(output.stdout.contains(line), "\(what): no \(line.debugDescription) in \(output.stdout.prefix(600))")
        }
    }

    static func vdm(_ arguments: [String], input: String = "") async throws -> ExternalTool.Output {
        try VDMProcess.requireBinary()
        return try await VDMProcess.run(arguments, input: Array(input.utf8))
    }

    @Test func strictFailsOnAnUnusedLineAndPassesOnAClean() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let clean = dir.path("clean.jsonl"), dirty = dir.path("dirty.jsonl")
        try Self.lines(1...3).write(toFile: clean, atomically: true, encoding: .utf8)
        try (Self.lines(1...3) + "not a record\n").write(toFile: dirty, atomically: true, encoding: .utf8)

        let ok = try await Self.vdm(["replay", "--strict", clean])
        #expect(ok.status == 0, "\(ok.stderr)")
        Self.expectSummary(ok, requests: 3, "strict, clean")
        let lenient = try await Self.vdm(["replay", dirty])
        #expect(lenient.status == 0, "\(lenient.stderr)")
        Self.expectSummary(lenient, requests: 3, "lenient, dirty")
        let strict = try await Self.vdm(["replay", "--strict", dirty])
        #expect(strict.status == 1, "\(strict.stderr)")
        #expect(strict.stderr.contains("\(dirty):4: "), "\(strict.stderr)")
    }

    @Test func replayReadsStandardInput() async throws {
        let fromStdin = try await Self.vdm(["replay", "--quiet", "-"], input: Self.lines(1...4))
        #expect(fromStdin.status == 0, "\(fromStdin.stderr)")
        Self.expectSummary(fromStdin, requests: 4, "replay -")
        let noArgument = try await Self.vdm(["replay", "--quiet"], input: Self.lines(1...2))
        #expect(noArgument.status == 0, "\(noArgument.stderr)")
        Self.expectSummary(noArgument, requests: 2, "replay (no file)")
    }

    @Test func statesMergeToTheTotalsOfAllRecordsCountedOnce() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let (a, b) = (dir.path("a.jsonl"), dir.path("b.jsonl"))
        try Self.lines(1...2).write(toFile: a, atomically: true, encoding: .utf8)
        try Self.lines(2...5).write(toFile: b, atomically: true, encoding: .utf8)  // seq 2 in both: counted once
        let (sa, sb, sm) = (dir.path("a.state"), dir.path("b.state"), dir.path("merged.state"))
        #expect(try await Self.vdm(["replay", "--quiet", "--state", sa, a]).status == 0)
        #expect(try await Self.vdm(["replay", "--quiet", "--state", sb, b]).status == 0)
        #expect(FileManager.default.fileExists(atPath: sa) && FileManager.default.fileExists(atPath: sb))

        let merged = try await Self.vdm(["merge", "--state", sm, sa, sb])
        #expect(merged.status == 0, "\(merged.stderr)")
        Self.expectSummary(merged, requests: 5, "merge a b")
        let again = try await Self.vdm(["merge", sm])
        #expect(again.status == 0, "\(again.stderr)")
        Self.expectSummary(again, requests: 5, "merge of the merged state")
        let twice = try await Self.vdm(["merge", sa, sa])
        #expect(twice.status == 0, "\(twice.stderr)")
        Self.expectSummary(twice, requests: 2, "merge a a")
        let bad = try await Self.vdm(["merge", a])  // a log file is not a state file
        #expect(bad.status != 0, "\(bad.stdout)")
    }

    @Test func summariesAsJSON() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let complete = dir.path("complete.jsonl"), gapped = dir.path("gapped.jsonl")
        try Self.lines(1...3).write(toFile: complete, atomically: true, encoding: .utf8)
        try (Self.completed(seq: 1) + "\n" + Self.completed(seq: 4) + "\n").write(toFile: gapped, atomically: true, encoding: .utf8)

        let ok = try await Self.vdm(["summaries", "--json", complete])
        #expect(ok.status == 0, "\(ok.stdout)\(ok.stderr)")
        let instance = try #require((try JSONTestValue.object(ok.stdout)["instances"] as? [[String: Any]])?.first, "\(ok.stdout)")
        #expect(instance["instance"] as? String == "inst-cov")
        #expect(instance["records"] as? Int == 3)
        #expect((instance["gaps"] as? [Any])?.isEmpty == true, "\(ok.stdout)")

        let gap = try await Self.vdm(["summaries", "--json", gapped])
        #expect(gap.status == 1, "\(gap.stdout)\(gap.stderr)")
        let gapInstance = try #require((try JSONTestValue.object(gap.stdout)["instances"] as? [[String: Any]])?.first, "\(gap.stdout)")
        #expect(gapInstance["records"] as? Int == 2)
        #expect((gapInstance["gaps"] as? [Any])?.count == 1, "seq 2…3 missing: \(gap.stdout)")
        let text = try await Self.vdm(["summaries", gapped])
        #expect(text.stdout.contains("gaps: 2 record(s) missing: "), "\(text.stdout)")
    }

    /// A journal made by the real systemd-journal-remote from four entries 10 s apart: `--since` and
    /// `--until` pick by the entry's time, and `summaries --journal` reads the same entries.
    @Test func sinceAndUntilOnAJournalAndSummariesFromIt() async throws {
        let remote = try RealComponent.file("/lib/systemd/systemd-journal-remote", package: "systemd-journal-remote")
        let dir = try TempDirectory()
        defer { dir.remove() }
        let base: UInt64 = 1_700_000_000
        var export = Data()
        for k in 0..<4 {
            export.append(Data("""
                __REALTIME_TIMESTAMP=\((base + UInt64(10 * k)) * 1_000_000)
                __MONOTONIC_TIMESTAMP=\(k + 1)
                _BOOT_ID=0123456789abcdef0123456789abcdef
                SYSLOG_IDENTIFIER=vandamme-proxy
                MESSAGE=SUCCESS
                VDM_ECS_JSON=\(Self.completed(seq: k + 1))


                """.utf8))
        }
        let exportPath = dir.path("in.export")
        try export.write(to: URL(fileURLWithPath: exportPath))
        try FileManager.default.createDirectory(atPath: dir.path("journal"), withIntermediateDirectories: true)
        let made = try await ExternalTool.run(remote, ["--output=" + dir.path("journal/cov.journal"), exportPath])
        #expect(made.status == 0, "\(made.stderr)")
        let journal = ["--journal", "--directory", dir.path("journal")]

        let all = try await Self.vdm(["replay", "--quiet"] + journal)
        #expect(all.status == 0, "\(all.stderr)")
        Self.expectSummary(all, requests: 4, "whole journal")
        let until = try await Self.vdm(["replay", "--quiet"] + journal + ["--until", "@\(base + 15)"])
        #expect(until.status == 0, "\(until.stderr)")
        Self.expectSummary(until, requests: 2, "--until base+15")
        let since = try await Self.vdm(["replay", "--quiet"] + journal + ["--since", "@\(base + 15)"])
        Self.expectSummary(since, requests: 2, "--since base+15")
        let window = try await Self.vdm(["replay", "--quiet"] + journal + ["--since", "@\(base + 5)", "--until", "@\(base + 25)"])
        Self.expectSummary(window, requests: 2, "--since base+5 --until base+25")
        let before = try await Self.vdm(["replay", "--quiet"] + journal + ["--until", "@\(base - 1)"])
        #expect(before.stdout.contains("  total_requests: 0\n"), "\(before.stdout)")
        let badTime = try await Self.vdm(["replay"] + journal + ["--until", "yesterday-ish"])
        #expect(badTime.status != 0)

        let summaries = try await Self.vdm(["summaries", "--json"] + journal)
        #expect(summaries.status == 0, "\(summaries.stdout)\(summaries.stderr)")
        let instance = try #require((try JSONTestValue.object(summaries.stdout)["instances"] as? [[String: Any]])?.first, "\(summaries.stdout)")
        #expect(instance["records"] as? Int == 4)
        let both = try await Self.vdm(["summaries", "--journal", exportPath])
        #expect(both.status != 0, "files and --journal together are refused")
    }
}
