import Foundation
import LogPipeline
import Testing

/// Replay's memory does not grow with the log: the record slots of complete blocks leave memory for
/// a temporary file (`SlotSpill`). Exactness stays: repeats of records of spilled blocks, identical
/// and conflicting, give what the same log gives with every slot in memory (`Replay.readOne`, no
/// spill) — the same state, reports (FILE:LINE computed by hand), totals (the live tracker's) and
/// stored form — also read in chunks and merged with another state.
@Suite struct SlotSpillTests {
    static func sequence(of line: String) -> Int? {
        guard let r = line.range(of: "\"event.sequence\":") else { return nil }
        return Int(line[r.upperBound...].prefix { $0.isNumber })
    }

    @Test func repeatsOfSpilledBlocksAreDroppedOrReportedAsWithEverySlotInMemory() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let logged = try LoggedTracker(path: dir.path("live.json"), instanceID: "inst-0", summaryInterval: 50)
        await Workload.run(logged, requests: 6_000, seed: 41)
        let live = RunningTotals(aggregate: await logged.tracker.snapshotAggregate(), active: [], filter: TotalsFilter(), includeActive: false)
        logged.flush()
        let lines = try LogPipelineTests.lines(of: logged.path)
        let size = Int(RecordBlock.size)
        #expect(lines.count / size > InstanceLedger.completeBlocksKept + 4, "\(lines.count) lines")
        // First copies in blocks 0-3 (all spilled by the end): line k holds sequence k.
        #expect(lines.indices.allSatisfy { Self.sequence(of: lines[$0]) == $0 + 1 })
        let completed = try #require(lines.indices.first { $0 >= 10 && lines[$0].contains("\"event.action\":\"request.completed\"") })
        func isPlain(_ k: Int) -> Bool { !["request.completed", "request.started", "summary.checkpoint"].contains { lines[k].contains("\"event.action\":\"\($0)\"") } }
        let plain = try #require((2 * size + 17..<3 * size).first(where: isPlain))
        let otherPlain = try #require((3 * size + 5..<4 * size).first(where: isPlain))
        let secondCompleted = try #require(lines.indices.first { $0 > completed && lines[$0].contains("\"event.action\":\"request.completed\"") })
        #expect(secondCompleted < size)
        let conflictingCompletion = try #require(lines.indices.first { $0 >= size && lines[$0].contains("\"event.action\":\"request.completed\"") })
        let repeats = [
            lines[completed],  // identical
            lines[plain],  // identical
            String(lines[conflictingCompletion].dropLast()) + ",\"gen_ai.usage.output_tokens\":999999}",  // conflict
            lines[otherPlain].replacingOccurrences(of: "\"message\":\"", with: "\"message\":\"changed "),  // conflict
            lines[completed + 3],  // identical, in the block the first repeat read back (the reader's cache)
        ]
        #expect(repeats[3] != lines[otherPlain])
        let path = dir.path("log.json")
        try write(lines + repeats, to: path)
        let n = lines.count

        let inMemory = try Replay.readOne(path: path)
        let spilled = try await Replay.run(paths: [path], parallelism: 1)
        let chunked = try await Replay.run(paths: [path], parallelism: 2, chunkBytes: 256 << 10)
        let blocks = try #require(spilled.instances["inst-0"]?.blocks)
        #expect(blocks.values.filter(\.isSpilled).count >= n / size - InstanceLedger.completeBlocksKept, "spilled \(blocks.values.filter(\.isSpilled).count)")
        #expect(try #require(chunked.instances["inst-0"]?.blocks).values.contains(where: \.isSpilled))
        #expect(try #require(inMemory.instances["inst-0"]?.blocks).values.allSatisfy { !$0.isSpilled })

        // By hand: the repeats' lines and the lines of their first copies.
        let details = spilled.problems.examples.map { "\($0.location): \($0.kind.rawValue): \($0.detail)" }
        #expect(details == [
            "\(path):\(n + 3): conflicting_record: instance inst-0 sequence \(conflictingCompletion + 1): differs from \(path):\(conflictingCompletion + 1), which comes first",
            "\(path):\(n + 4): conflicting_record: instance inst-0 sequence \(otherPlain + 1): differs from \(path):\(otherPlain + 1), which comes first",
            "\(path):\(n + 1): duplicate_record: instance inst-0 sequence \(completed + 1): identical to \(path):\(completed + 1) (dropped)",
            "\(path):\(n + 2): duplicate_record: instance inst-0 sequence \(plain + 1): identical to \(path):\(plain + 1) (dropped)",
            "\(path):\(n + 5): duplicate_record: instance inst-0 sequence \(completed + 4): identical to \(path):\(completed + 4) (dropped)",
        ], "\(details)")
        #expect(spilled.duplicates == 3 && spilled.conflicts == 2)
        #expect(RunningTotalsYAML.render(try spilled.runningTotals(), generatedMicros: 0) == RunningTotalsYAML.render(live, generatedMicros: 0))
        #expect(spilled.recordsRead == n)

        // Everything else as with every slot in memory, and the stored state byte for byte.
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for state in [spilled, chunked] {
            #expect(state == inMemory)
            #expect(state.problems == inMemory.problems)
            #expect(try encoder.encode(state) == encoder.encode(inMemory))
        }

        // Merged with another state that holds copies of spilled blocks' records (one changed).
        let other = dir.path("other.json")
        var copies = Array(lines[..<(2 * size)])
        copies[secondCompleted] = String(lines[secondCompleted].dropLast()) + ",\"gen_ai.usage.output_tokens\":999998}"
        try write(copies, to: other)
        let theirs = try Replay.readOne(path: other)
        var a = spilled, b = inMemory
        a.merge(theirs)
        b.merge(theirs)
        #expect(a == b)
        #expect(a.problems == b.problems)
        #expect(a.duplicates == 3 + 2 * size - 1 && a.conflicts == 3, "\(a.duplicates) \(a.conflicts)")
        // log.json sorts before other.json: its copies count.
        #expect(RunningTotalsYAML.render(try a.runningTotals(), generatedMicros: 0) == RunningTotalsYAML.render(live, generatedMicros: 0))
        #expect(try encoder.encode(a) == encoder.encode(b))
    }

    /// A temporary directory that cannot be used: a clear error once the first block would spill,
    /// never a crash and never totals without the check.
    @Test func aSpillThatCannotBeWrittenIsAnError() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let logged = try LoggedTracker(path: dir.path("live.json"), instanceID: "inst-0", summaryInterval: 50)
        await Workload.run(logged, requests: 6_000, seed: 7)
        logged.flush()
        let missing = dir.path("no-such-directory")
        do {
            _ = try await Replay.run(paths: [logged.path], parallelism: 1, temporaryDirectory: missing)
            Issue.record("no error")
        } catch {
            #expect(error.spill)
            #expect(error.description == "\(missing): replay's temporary file (of record slots) cannot be written or read here: No such file or directory")
        }
        // A log too short to complete more blocks than stay in memory needs no file.
        try write(Array(try LogPipelineTests.lines(of: logged.path).prefix(100)), to: dir.path("short.json"))
        let short = try await Replay.run(paths: [dir.path("short.json")], parallelism: 1, temporaryDirectory: missing)
        #expect(short.recordsRead == 100)
    }
}
