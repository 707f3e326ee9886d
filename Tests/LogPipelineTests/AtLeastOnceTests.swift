import Foundation
import LogPipeline
import Synchronization
import Testing

/// Replay under at-least-once delivery: every record of a real log delivered twice (one three
/// times), shuffled across two files, replays to the live totals byte for byte, in one run and
/// through `--state` files merged; the repeats are reported; a conflict is reported with both
/// positions and the first copy counts.
@Suite struct AtLeastOnceTests {
    struct Log {
        var lines: [String]
        var liveYAML: String
        var live: RunningTotals
    }

    /// A real log of two instances (real trackers, routers, encoders, file sinks).
    static func makeLog(_ dir: TempDir, seed: UInt64) async throws -> Log {
        var lines: [String] = []
        var aggregate = MetricsAggregate()
        for (k, requests) in [700, 90].enumerated() {
            let logged = try LoggedTracker(path: dir.path("live-\(k).json"), instanceID: "inst-\(k)", summaryInterval: 9)
            await Workload.run(logged, requests: requests, seed: seed + UInt64(k))
            try aggregate.merge(await logged.tracker.snapshotAggregate())
            lines += try LogPipelineTests.lines(of: logged.path)
        }
        let live = RunningTotals(aggregate: aggregate, active: [], filter: TotalsFilter(), includeActive: false)
        return Log(lines: lines, liveYAML: RunningTotalsYAML.render(live, generatedMicros: 0), live: live)
    }

    /// Every line twice, the line at `triple` three times, shuffled, dealt at random into two files.
    static func deliverAtLeastOnce(_ lines: [String], triple: Int, rng: inout SeededRandom) -> ([String], [String]) {
        var copies = lines + lines + [lines[triple]]
        copies.shuffle(using: &rng)
        var a: [String] = [], b: [String] = []
        for line in copies {
            if Bool.random(using: &rng) { a.append(line) } else { b.append(line) }
        }
        return (a, b)
    }

    @Test(arguments: [5, 23])
    func everyRecordTwiceOneThriceShuffledAcrossTwoFiles(seed: Int) async throws {
        print("AtLeastOnceTests seed \(seed)")
        let dir = try TempDir()
        defer { dir.cleanup() }
        let log = try await Self.makeLog(dir, seed: UInt64(seed))
        #expect(log.lines.count > 2 * Int(RecordBlock.size))  // complete blocks and partial ones
        var rng = SeededRandom(seed: UInt64(seed))
        let (a, b) = Self.deliverAtLeastOnce(log.lines, triple: log.lines.count / 2, rng: &rng)
        try write(a, to: dir.path("a.json"))
        try write(b, to: dir.path("b.json"))
        let repeats = log.lines.count + 1

        // One run, files in parallel (each its own state, merged).
        let state = try await Replay.run(paths: [dir.path("b.json"), dir.path("a.json")], parallelism: 2)
        #expect(RunningTotalsYAML.render(try state.runningTotals(), generatedMicros: 0) == log.liveYAML)
        #expect(state.problems.count(.duplicateRecord) == repeats)
        #expect(state.problems.total == repeats, "\(state.problems.counts)")
        #expect(state.duplicates == repeats)
        #expect(state.conflicts == 0)
        #expect(state.looseEnds.count == 0)
        #expect(state.recordsRead == log.lines.count)
        #expect(state.instances.values.allSatisfy { $0.sequences.gaps.isEmpty })
        #expect(ReplayReport.text(state).contains("\(repeats) repeated record(s) dropped (each counted once)"))

        // One run in turn, with an observer: it sees each completed request exactly once.
        let seen = Counter()
        let observed = try await Replay.run(paths: [dir.path("a.json"), dir.path("b.json")], onCompleted: { _ in seen.bump() })
        #expect(seen.value == log.live.summary.requests)
        #expect(try observed.runningTotals() == log.live)

        // Through state files, as `vdm merge` reads them, in both orders.
        let stateA = try ReplayOutput.encode(try Replay.readOne(path: dir.path("a.json")))
        let stateB = try ReplayOutput.encode(try Replay.readOne(path: dir.path("b.json")))
        for (first, second) in [(stateA, stateB), (stateB, stateA)] {
            var merged = ReplayState()
            merged.merge(try ReplayOutput.decode(first, path: "1"))
            merged.merge(try ReplayOutput.decode(second, path: "2"))
            #expect(RunningTotalsYAML.render(try merged.runningTotals(), generatedMicros: 0) == log.liveYAML)
            #expect(merged.duplicates == repeats)
            #expect(merged.conflicts == 0 && merged.unresolvedConflicts == 0)
            #expect(merged.looseEnds.count == 0)
        }
    }

    /// Two machines each received an overlapping stretch of one log: their merged states equal the
    /// replay of the union, and the overlap is reported once per record.
    @Test func overlappingStatesMergeToTheUnion() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let log = try await Self.makeLog(dir, seed: 8)
        let n = log.lines.count
        let first = Array(log.lines[..<(n * 2 / 3)])
        let second = Array(log.lines[(n / 3)...])
        var merged = ReplayState()
        merged.merge(try ReplayOutput.decode(try ReplayOutput.encode(Replay.state(lines: first, name: "m1.json")), path: "m1"))
        merged.merge(try ReplayOutput.decode(try ReplayOutput.encode(Replay.state(lines: second, name: "m2.json")), path: "m2"))
        #expect(RunningTotalsYAML.render(try merged.runningTotals(), generatedMicros: 0) == log.liveYAML)
        #expect(merged.duplicates == first.count + second.count - n)
        #expect(merged.looseEnds.count == 0)
        #expect(merged.recordsRead == n)
        // The per-record cost the docs state.
        #expect(MemoryLayout<RecordBlock.Slot>.stride == 16)
    }

    /// The same (instance, sequence) with a different record: reported with both positions, not
    /// summed twice; the first by file name and line counts.
    @Test func aConflictIsReportedWithBothPositions() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let log = try await Self.makeLog(dir, seed: 3)
        let victim = try #require(log.lines.indices.first { $0 > 40 && log.lines[$0].contains("\"event.action\":\"request.completed\"") })
        let altered = String(log.lines[victim].dropLast()) + ",\"gen_ai.usage.output_tokens\":999999}"
        try write(log.lines, to: dir.path("a.json"))
        try write([log.lines[0], altered], to: dir.path("b.json"))
        for parallelism in [1, 2] {
            let state = try await Replay.run(paths: [dir.path("b.json"), dir.path("a.json")], parallelism: parallelism)
            #expect(state.conflicts == 1)
            #expect(state.problems.count(.conflictingRecord) == 1)
            let report = try #require(state.problems.examples.first { $0.kind == .conflictingRecord })
            #expect(report.location == SourceLocation(file: dir.path("b.json"), line: 2))
            #expect(report.detail.contains("differs from \(dir.path("a.json")):\(victim + 1)"))
            #expect(state.problems.count(.duplicateRecord) == 1)  // line 1 of b.json
            // a.json sorts first: its copy counts.
            #expect(RunningTotalsYAML.render(try state.runningTotals(), generatedMicros: 0) == log.liveYAML)
        }
    }
}

extension AtLeastOnceTests {
    /// The one case partial states cannot settle: the first copy of a conflict (a.json sorts
    /// first) sits in an incomplete block, the other in a block complete in another state, whose
    /// per-request metrics are gone. `vdm merge` says so; a replay of the files reads them again
    /// in one state and settles it exactly.
    @Test func aConflictPartialStatesCannotSettleIsSaidAndReplaySettlesIt() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let log = try await Self.makeLog(dir, seed: 4)
        // inst-0's records come first, from sequence 1: this one lies in its first, complete block.
        let victim = try #require(log.lines.indices.first { $0 > 100 && log.lines[$0].contains("\"event.action\":\"request.completed\"") })
        #expect(victim < Int(RecordBlock.size))
        let altered = String(log.lines[victim].dropLast()) + ",\"gen_ai.usage.output_tokens\":123456}"
        try write([altered], to: dir.path("a.json"))
        try write(log.lines, to: dir.path("b.json"))
        var merged = ReplayState()
        merged.merge(try ReplayOutput.decode(try ReplayOutput.encode(try Replay.readOne(path: dir.path("b.json"))), path: "b"))
        merged.merge(try ReplayOutput.decode(try ReplayOutput.encode(try Replay.readOne(path: dir.path("a.json"))), path: "a"))
        #expect(merged.conflicts == 1)
        #expect(merged.unresolvedConflicts == 1)
        #expect(ReplayReport.text(merged).contains("not resolvable from partial states"))
        // One replay run: settled, the first copy (a.json's) counts.
        let state = try await Replay.run(paths: [dir.path("b.json"), dir.path("a.json")], parallelism: 2)
        #expect(state.conflicts == 1 && state.unresolvedConflicts == 0)
        let report = try #require(state.problems.examples.first { $0.kind == .conflictingRecord })
        #expect(report.location == SourceLocation(file: dir.path("b.json"), line: victim + 1))
        #expect(report.detail.contains("differs from \(dir.path("a.json")):1"))
        let live = log.live.summary.outputTokens
        let original = try #require(Self.outputTokens(of: log.lines[victim]))
        #expect(try state.runningTotals().summary.outputTokens == live - original + 123_456)
    }

    static func outputTokens(of line: String) -> Int? {
        guard let r = line.range(of: #""gen_ai.usage.output_tokens":"#) else { return nil }
        return Int(line[r.upperBound...].prefix { $0.isNumber })
    }
}

final class Counter: Sendable {
    private let storage = Mutex<Int>(0)
    func bump() { storage.withLock { $0 += 1 } }
    var value: Int { storage.withLock { $0 } }
}
