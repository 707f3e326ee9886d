import Foundation
import LogPipeline
import Testing

/// Issue #14 through the real `vdm` executable and the real demo log (`fixtures/demo/demo.jsonl`):
/// at-least-once input, conflicts, hostile values and hostile state files.
@Suite struct AnalyzerTrustCLITests {
    static func vdm(_ arguments: [String]) async throws -> ExternalTool.Output {
        try await DemoFixtureCLITests.vdm(arguments)
    }

    static var expectedYAML: String {
        get throws { TotalsFormat.yaml.comparable(try DemoFixtureTests.text(DemoFixtureTests.expectedYAML)) }
    }

    static func demoLines() throws -> [String] {
        try DemoFixtureTests.text(DemoFixtureTests.jsonLines).split(separator: "\n").map(String.init)
    }

    @Test func everyRecordTwiceAcrossTwoFilesReplaysAndMergesToTheLiveTotals() async throws {
        let seed: UInt64 = 14
        print("AnalyzerTrustCLITests seed \(seed)")
        let dir = try TempDirectory()
        defer { dir.remove() }
        let lines = try Self.demoLines()
        var rng = SplitMix64(state: seed)
        var copies = lines + lines + [lines[lines.count / 3]]
        copies.shuffle(using: &rng)
        let (a, b) = (dir.path("a.jsonl"), dir.path("b.jsonl"))
        try (copies.enumerated().filter { $0.offset % 2 == 0 }.map(\.element).joined(separator: "\n") + "\n").write(toFile: a, atomically: true, encoding: .utf8)
        try (copies.enumerated().filter { $0.offset % 2 == 1 }.map(\.element).joined(separator: "\n") + "\n").write(toFile: b, atomically: true, encoding: .utf8)
        let replay = try await Self.vdm(["replay", a, b])
        #expect(replay.status == 0, "\(replay.stderr)")
        #expect(TotalsFormat.yaml.comparable(replay.stdout) == (try Self.expectedYAML))
        #expect(replay.stderr.contains("\(lines.count + 1) repeated record(s) dropped (each counted once)"), "\(replay.stderr)")
        // Two machines' partial states: the merge counts each record once too.
        let (sa, sb) = (dir.path("a.state"), dir.path("b.state"))
        #expect(try await Self.vdm(["replay", "--quiet", "--state", sa, a]).status == 0)
        #expect(try await Self.vdm(["replay", "--quiet", "--state", sb, b]).status == 0)
        let merged = try await Self.vdm(["merge", sb, sa])
        #expect(merged.status == 0, "\(merged.stderr)")
        #expect(TotalsFormat.yaml.comparable(merged.stdout) == (try Self.expectedYAML))
    }

    @Test func aConflictIsRefusedUnlessForced() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let lines = try Self.demoLines()
        let victim = try #require(lines.indices.first { lines[$0].contains("\"event.action\":\"request.completed\"") })
        let (a, b) = (dir.path("a.jsonl"), dir.path("b.jsonl"))
        try (lines.joined(separator: "\n") + "\n").write(toFile: a, atomically: true, encoding: .utf8)
        try (String(lines[victim].dropLast()) + ",\"gen_ai.usage.output_tokens\":7}\n").write(toFile: b, atomically: true, encoding: .utf8)
        let refused = try await Self.vdm(["replay", b, a])
        #expect(refused.status == 1)
        #expect(refused.stdout.isEmpty)
        #expect(refused.stderr.contains("\(b):1: conflicting record: "), "\(refused.stderr)")
        #expect(refused.stderr.contains("differs from \(a):\(victim + 1), which comes first"), "\(refused.stderr)")
        let forced = try await Self.vdm(["replay", "--force", b, a])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(TotalsFormat.yaml.comparable(forced.stdout) == (try Self.expectedYAML))
    }

    @Test func hostileValuesNeverCrashAnyCommand() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let lines = try Self.demoLines()
        let victim = try #require(lines.indices.first { lines[$0].contains("\"event.action\":\"request.completed\"") })
        let id = try #require(lines[victim].range(of: #""http.request.id":""#).map { String(lines[victim][$0.upperBound...].prefix(36)) })
        for hostile in ["\"event.duration\":-5000000", "\"gen_ai.usage.output_tokens\":9223372036854775807", "\"vdm.start_us\":-9223372036854775808"] {
            var damaged = lines
            damaged[victim] = String(lines[victim].dropLast()) + "," + hostile + "}"
            let path = dir.path("hostile.jsonl")
            try (damaged.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            let replay = try await Self.vdm(["replay", path])
            #expect(replay.status == 0, "\(hostile): \(replay.stderr)")
            #expect(replay.stderr.contains("\(path):\(victim + 1): value out of bounds: request.completed:"), "\(hostile): \(replay.stderr)")
            let trace = try await Self.vdm(["trace", id, path])
            #expect(trace.status == 0, "\(hostile): \(trace.stdout)\(trace.stderr)")
            #expect(trace.stdout.contains("not used: value out of bounds: "), "\(hostile): \(trace.stdout)")
            let summaries = try await Self.vdm(["summaries", path])
            #expect(summaries.status == 1, "\(hostile): \(summaries.stdout)")
        }
    }

    @Test func aHostileStateFileIsAClearError() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let state = dir.path("good.state")
        #expect(try await Self.vdm(["replay", "--quiet", "--state", state, DemoFixtureTests.jsonLines]).status == 0)
        let text = try String(contentsOfFile: state, encoding: .utf8)
        // Counters near 2^63 in a bucket: the state is refused with the reason, not summed.
        let first = try #require(text.range(of: #""inputTokens":[0-9]+"#, options: .regularExpression))
        let huge = text.replacingCharacters(in: first, with: #""inputTokens":9223372036854775000"#)
        #expect(huge != text)
        let path = dir.path("huge.state")
        try huge.write(toFile: path, atomically: true, encoding: .utf8)
        let merged = try await Self.vdm(["merge", state, path])
        #expect(merged.status == 66, "\(merged.stderr)")
        #expect(merged.stderr.contains("not a vdm replay state file"), "\(merged.stderr)")
        #expect(merged.stdout.isEmpty)
    }
}

/// A temporary directory for CLI tests.
struct TempDirectory {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("vdm-trust-\(UUID().uuidString)")
    init() throws { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    func remove() { try? FileManager.default.removeItem(at: url) }
}
