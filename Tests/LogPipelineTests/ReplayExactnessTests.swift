import Foundation
import LogPipeline
import Testing
import Yams

/// Replay rebuilds the live numbers exactly: random workloads through a real tracker, router and
/// JSON-lines sink into a real file, then replay of that file against the tracker's own render.
@Suite struct ReplayExactnessTests {
    @Test(arguments: 1...50)
    func replayEqualsLiveTotals(seed: Int) async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        var rng = SeededRandom(seed: UInt64(seed) * 7919)
        let interval = Int.random(in: 0...12, using: &rng)
        let logged = try LoggedTracker(path: dir.path("vdm.json"), instanceID: "instance-\(seed)", summaryInterval: interval)
        let open = await Workload.run(logged, requests: Int.random(in: 1...150, using: &rng), leaveOpen: seed % 3, seed: UInt64(seed))

        let live = RunningTotalsYAML.render(await logged.tracker.runningTotals(includeActive: false), generatedMicros: 0)
        let state = try await Replay.run(paths: [logged.path])
        let replayed = RunningTotalsYAML.render(try state.runningTotals(), generatedMicros: 0)
        #expect(replayed == live)
        #expect(state.problems.isEmpty, "\(state.problems)")
        #expect(Set(state.looseEnds.sorted.map(\.key.requestID)) == Set(open))
        #expect(state.completedRequests == (await logged.tracker.completedCount))

        // The JSON rendering carries the same numbers.
        let json = RunningTotalsJSON.render(try state.runningTotals(), generatedMicros: 0)
        let liveJSON = RunningTotalsJSON.render(await logged.tracker.runningTotals(includeActive: false), generatedMicros: 0)
        #expect(json == liveJSON)
        #expect(try JSONSerialization.jsonObject(with: Data(json.utf8)) is [String: Any])

        // Filters apply the same way.
        let filter = TotalsFilter(provider: "open*", model: "*4o*")
        #expect(RunningTotalsYAML.render(try state.runningTotals(filter: filter), generatedMicros: 0)
            == RunningTotalsYAML.render(await logged.tracker.runningTotals(filter: filter, includeActive: false), generatedMicros: 0))
    }

    @Test func comparableDropsOnlyTheGeneratedLine() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let logged = try LoggedTracker(path: dir.path("vdm.json"), instanceID: "i", summaryInterval: 5)
        await Workload.run(logged, requests: 40, seed: 99)
        let live = RunningTotalsYAML.render(await logged.tracker.runningTotals(includeActive: false), generatedMicros: WallClock.nowMicros())
        let doc = try await Replay.totalsDocument(paths: [logged.path], format: .yaml)
        #expect(TotalsFormat.yaml.comparable(doc) == TotalsFormat.yaml.comparable(live))
        let liveJSON = RunningTotalsJSON.render(await logged.tracker.runningTotals(includeActive: false), generatedMicros: 1)
        let docJSON = try await Replay.totalsDocument(paths: [logged.path], format: .json)
        #expect(TotalsFormat.json.comparable(docJSON) == TotalsFormat.json.comparable(liveJSON))
    }

    /// Several instances (restarts), each split into rotated pieces, read in any order, in
    /// parallel, and through --state files merged: always the same totals.
    @Test(arguments: [3, 11, 42])
    func splitFilesInstancesAndOrderDoNotMatter(seed: Int) async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        var rng = SeededRandom(seed: UInt64(seed))
        var expected = MetricsAggregate()
        var pieces: [String] = []
        for instance in 0..<3 {
            let logged = try LoggedTracker(path: dir.path("whole-\(instance).json"), instanceID: "inst-\(instance)", summaryInterval: 7)
            await Workload.run(logged, requests: 80 + instance * 10, seed: UInt64(seed * 10 + instance))
            try expected.merge(await logged.tracker.snapshotAggregate())
            // Rotate: cut the file into pieces at random lines.
            let all = try lines(of: logged.path)
            var cuts = (0..<3).map { _ in Int.random(in: 1..<all.count, using: &rng) }.sorted()
            cuts = [0] + cuts + [all.count]
            for k in 0..<(cuts.count - 1) where cuts[k] < cuts[k + 1] {
                let path = dir.path("inst-\(instance).json.\(k)")
                try write(Array(all[cuts[k]..<cuts[k + 1]]), to: path)
                pieces.append(path)
            }
        }
        let reference = RunningTotalsYAML.render(RunningTotals(aggregate: expected, active: [], filter: TotalsFilter(), includeActive: false), generatedMicros: 0)
        for round in 0..<3 {
            let order = round == 0 ? pieces : pieces.shuffled(using: &rng)
            let state = try await Replay.run(paths: order, parallelism: 2)
            #expect(RunningTotalsYAML.render(try state.runningTotals(), generatedMicros: 0) == reference)
            #expect(state.problems.isEmpty)
            #expect(state.looseEnds.count == 0, "a start and its completion in different pieces must cancel")
            #expect(state.instances.count == 3)
            #expect(state.instances.values.allSatisfy { $0.sequences.gaps.isEmpty && $0.duplicates == 0 })
        }
        // --state per piece, encoded and decoded, merged in any order == whole.
        var merged = ReplayState()
        for path in pieces.shuffled(using: &rng) {
            let partial = try Replay.readOne(path: path)
            let data = try ReplayOutput.encode(partial)
            merged.merge(try ReplayOutput.decode(data, path: path))
        }
        #expect(RunningTotalsYAML.render(try merged.runningTotals(), generatedMicros: 0) == reference)
        #expect(merged.looseEnds.count == 0)
        // Per-instance breakdown equals each tracker's own totals.
        let byInstance = try ReplayOutput.document(merged, format: .yaml, byInstance: true, generatedMicros: 0)
        #expect(byInstance.components(separatedBy: "---\n# Instance: ").count == 4)
    }

    /// Intended change with at-least-once exactness: the second copies are reported and dropped,
    /// so the totals are the live ones (they used to be counted twice).
    @Test func theSameFileTwiceIsReportedAsDuplicatesAndCountedOnce() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let logged = try LoggedTracker(path: dir.path("a.json"), instanceID: "dup", summaryInterval: 0)
        await Workload.run(logged, requests: 20, seed: 5)
        let records = try lines(of: logged.path).count
        let state = try await Replay.run(paths: [logged.path, logged.path])
        #expect(state.problems.count(.duplicateRecord) == records)
        #expect(state.instances["dup"]?.duplicates == records)
        #expect(try state.runningTotals() == (await logged.tracker.runningTotals(includeActive: false)))
    }
}

@Suite struct RunningTotalsJSONTests {
    /// The JSON document has the YAML document's structure and numbers.
    @Test func sameStructureAsTheYAML() throws {
        var a = MetricsAggregate()
        try a.add(sampleMetrics("1", provider: "openai", model: "gpt-4o", streaming: false, input: 10, output: 15, durationMillis: 324))
        try a.add(sampleMetrics("2", provider: "openai", model: "gpt-4o-mini", streaming: true, input: 5, output: 6, cacheRead: 100, durationMillis: 100))
        try a.add(sampleMetrics("3", provider: "open\"router", model: "kat:free \u{e9}", input: 7, output: 8, durationMillis: 50, error: "boom", errorType: "upstream_5xx"))
        let totals = RunningTotals(aggregate: a, active: [], filter: TotalsFilter(), includeActive: false)
        let yaml = try #require(try Yams.load(yaml: RunningTotalsYAML.render(totals, generatedMicros: 0)) as? [String: Any])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(RunningTotalsJSON.render(totals, generatedMicros: 0).utf8)) as? [String: Any])
        // JSON only: the overall streaming split (the YAML keeps the original's shape).
        var jsonSummary = try #require(json["summary"] as? [String: Any])
        let streaming = jsonSummary.removeValue(forKey: "streaming") as? [String: Any]
        let nonStreaming = jsonSummary.removeValue(forKey: "non_streaming") as? [String: Any]
        #expect(streaming?["requests"] as? Int == 1 && streaming?["average_duration_ms"] as? Int == 100)
        #expect(nonStreaming?["requests"] as? Int == 2 && nonStreaming?["average_duration_ms"] as? Int == 187)  // (324 + 50) / 2
        #expect(nonStreaming?["errors"] as? Int == 1 && nonStreaming?["cache_read_tokens"] as? Int == 0)
        let yamlSummary = try #require(yaml["summary"] as? [String: Any])
        #expect(NSDictionary(dictionary: yamlSummary).isEqual(to: jsonSummary), "summary: \(yamlSummary) vs \(jsonSummary)")
        let y = try #require(yaml["providers"])
        let j = try #require(json["providers"])
        #expect(NSDictionary(dictionary: ["v": y]).isEqual(to: ["v": j]), "providers: \(y) vs \(j)")
        #expect(json["include_active"] as? Bool == false)
        // Integers are JSON integers.
        #expect(RunningTotalsJSON.render(totals, generatedMicros: 0).contains("\"total_requests\":3,"))
    }
}
