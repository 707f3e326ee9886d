import Foundation
import LogPipeline
import Testing
@testable import VDMProxy

/// A log is forever: fixtures/legacy-ecs8 holds a demo log written with the ECS 8.11 names
/// (`vdm.schema` 1) by the code of its time, with the totals that code replayed. Today's reader gives
/// exactly those totals, from the JSON lines and from the journal export, and the same records under
/// today's names (renamed here by a hand-written table, not by vdm's) replay identically.
@Suite struct LegacyECSFixtureTests {
    static let directory = DemoFixtureTests.root.appendingPathComponent("fixtures/legacy-ecs8")
    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
    static let jsonLines = path("demo.jsonl")
    static let journal = path("demo.journal.json")

    /// vdm.schema 1 key → vdm.schema 2 key, written out by hand from docs/log-schema.md ("Older records").
    static let renamed: [String: String] = [
        "service.instance.id": "service.node.name",
        "log.original_level": "vdm.original_level",
        "gen_ai.provider.name": "gen_ai.system",
        "gen_ai.usage.cache_read.input_tokens": "vdm.usage.cache_read_input_tokens",
        "gen_ai.usage.cache_creation.input_tokens": "vdm.usage.cache_creation_input_tokens",
        "vdm.max_tokens": "gen_ai.request.max_tokens",
    ]

    static func yaml(_ state: ReplayState) throws -> String {
        TotalsFormat.yaml.comparable(TotalsFormat.yaml.render(try state.runningTotals(), generatedMicros: WallClock.nowMicros()))
    }

    static func expectedYAML() throws -> String {
        TotalsFormat.yaml.comparable(try String(contentsOfFile: path("expected.yaml"), encoding: .utf8))
    }

    /// The legacy lines with every moved key under its new name, `ecs.version` 9.4.0 and `vdm.schema` 2.
    static func newNameLines() throws -> [String] {
        try String(contentsOfFile: jsonLines, encoding: .utf8).split(separator: "\n").map { line in
            guard case .object(let members) = try JSONValue.parse(String(line)) else { throw TestFailure("not an object: \(line)") }
            let moved = members.map { member -> (key: String, value: JSONValue) in
                switch member.key {
                case "ecs.version": (key: member.key, value: .string("9.4.0"))
                case "vdm.schema": (key: member.key, value: .number("2"))
                default: (key: renamed[member.key] ?? member.key, value: member.value)
                }
            }
            return String(decoding: JSONValue.object(moved).serialized(), as: UTF8.self)
        }
    }

    @Test func theFixtureReallyIsInTheOldNames() throws {
        let text = try String(contentsOfFile: Self.jsonLines, encoding: .utf8)
        #expect(text.contains(#""ecs.version":"8.11.0""#) && text.contains(#""vdm.schema":1,"#))
        for old in Self.renamed.keys where old != "log.original_level" || text.contains("Hummingbird") {
            #expect(text.contains("\"\(old)\":"), "the legacy fixture has no \(old)")
        }
        for new in Self.renamed.values { #expect(!text.contains("\"\(new)\":"), "\(new) in the legacy fixture") }
    }

    @Test func replayGivesTheTotalsTheOldCodeGave() async throws {
        for input in [Self.jsonLines, Self.journal] {
            let state = try await Replay.run(paths: [input])
            #expect(state.problems.isEmpty, "\(input): \(state.problems)")
            #expect(ReplayReport.Usage(state).notUsed == 0, "\(input)")
            let t = try state.aggregate().totals
            // The numbers of fixtures/legacy-ecs8/expected.yaml, as the old code printed them.
            #expect(t.requests == 40 && t.errors == 10, "\(input)")
            #expect(t.inputTokens == 615 && t.outputTokens == 712, "\(input)")
            #expect(t.cacheReadTokens == 58 && t.cacheCreationTokens == 60, "\(input)")
            #expect(t.toolUses == 4 && t.toolResults == 4 && t.toolCalls == 2, "\(input)")
            #expect(t.durationNanos == 402_152_812, "\(input)")  // jq: the sum of event.duration
            #expect(try Self.yaml(state) == (try Self.expectedYAML()), "\(input)")
        }
        let (_, exposition) = try await ReplayExposition.run(paths: [Self.jsonLines])
        #expect(exposition == (try String(contentsOfFile: Self.path("expected.prom"), encoding: .utf8)))
    }

    @Test func theSameRecordsUnderTheNewNamesReplayIdentically() async throws {
        let lines = try Self.newNameLines()
        #expect(lines.contains { $0.contains(#""gen_ai.system":"openai""#) })
        #expect(!lines.contains { $0.contains("gen_ai.provider.name") })
        let renamed = Replay.state(lines: lines, name: "renamed.jsonl")
        #expect(renamed.problems.isEmpty, "\(renamed.problems)")
        #expect(try Self.yaml(renamed) == (try Self.expectedYAML()))
    }

    @Test func summariesAndTraceReadTheOldNames() throws {
        let result = try SummariesVerifier.verify(paths: [Self.jsonLines])
        #expect(result.isComplete, "\(result.text())")
        #expect(result.instances.count == 1)
        #expect(result.instances.first?.verified == 4)  // checkpoints at 10, 20, 30, 40 requests
        // A streaming OpenAI request with a tool call (picked from the fixture by jq).
        guard case .found(let trace) = try TraceCollector.trace(prefix: "8833eca3", paths: [Self.jsonLines]) else {
            Issue.record("8833eca3 is not exactly one request of the legacy fixture")
            return
        }
        #expect(trace.completed?.provider == "openai")
        #expect(trace.completed?.outputTokens == 18)
        #expect(trace.completed?.toolCalls == 1)
        #expect(trace.completed?.isStreaming == true)
    }
}
