import Foundation
import LogPipeline
import Testing

@Suite struct SummariesTests {
    /// A real log with checkpoints every 5 completions.
    func makeLog(_ dir: TempDir, requests: Int = 60, leaveOpen: Int = 0) async throws -> (path: String, lines: [String]) {
        let logged = try LoggedTracker(path: dir.path("vdm.json"), instanceID: "inst-s", summaryInterval: 5)
        await Workload.run(logged, requests: requests, leaveOpen: leaveOpen, seed: 17)
        return (logged.path, try lines(of: logged.path))
    }

    @Test func provesACompleteLog() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let log = try await makeLog(dir)
        let result = try SummariesVerifier.verify(paths: [log.path])
        let v = try #require(result.instances.first)
        #expect(result.isComplete, "\(result.text())")
        #expect(v.checkpoints == 12)
        #expect(v.verified == 12)
        #expect(v.gaps.isEmpty && v.duplicates.isEmpty)
        #expect(result.text().contains("result: complete"))
        // Rotated pieces in reverse order prove the same.
        let half = log.lines.count / 2
        try write(Array(log.lines[..<half]), to: dir.path("old"))
        try write(Array(log.lines[half...]), to: dir.path("new"))
        let rotated = try SummariesVerifier.verify(paths: [dir.path("new"), dir.path("old")])
        #expect(rotated.isComplete)
        #expect(rotated.instances.first?.verified == 12)
    }

    @Test func aDeletedLineIsAGapAndTheCheckpointSaysWhatWasLost() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let log = try await makeLog(dir)
        let victim = try #require(log.lines.indices.first { $0 > 20 && log.lines[$0].contains(#""event.action":"request.completed""#) })
        var damaged = log.lines
        let removed = damaged.remove(at: victim)
        let path = dir.path("damaged.json")
        try write(damaged, to: path)
        let result = try SummariesVerifier.verify(paths: [path])
        let v = try #require(result.instances.first)
        #expect(!result.isComplete)
        #expect(v.gaps.count == 1)
        let seq = try #require(Self.sequence(of: removed))
        #expect(v.gaps.first == SequenceRanges.Range(lower: seq, upper: seq))
        let d = try #require(v.firstDisagreement)
        #expect(d.recordsMissingBelow)
        #expect(d.fields.first { $0.field == "requests" }.map { $0.logged - $0.recomputed } == 1)
        #expect(d.sequence > seq)
        #expect(result.text().contains("gaps: 1 record(s) missing: \(seq)"))
        // Checkpoints after the first one past the gap still prove their own stretch.
        #expect(v.verifiedSincePrevious > 0)
    }

    @Test func aDuplicatedLineIsReported() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let log = try await makeLog(dir)
        var damaged = log.lines
        damaged.insert(log.lines[10], at: 30)
        let path = dir.path("dup.json")
        try write(damaged, to: path)
        let result = try SummariesVerifier.verify(paths: [path])
        let v = try #require(result.instances.first)
        #expect(!result.isComplete)
        #expect(v.duplicateRecords == 1)
        let seq = try #require(Self.sequence(of: log.lines[10]))
        #expect(v.duplicates == [SequenceRanges.Range(lower: seq, upper: seq)])
        #expect(v.disagreeing == 0, "the duplicate is counted once")
        #expect(result.problems.examples.first { $0.kind == .duplicateRecord }?.location.line == 31)
    }

    @Test func aTamperedCheckpointIsNamedFieldByField() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let log = try await makeLog(dir)
        let checkpoints = log.lines.indices.filter { log.lines[$0].contains(#""event.action":"summary.checkpoint""#) }
        let k = checkpoints[3]
        var damaged = log.lines
        damaged[k] = damaged[k].replacingOccurrences(of: #""vdm.checkpoint.requests":20"#, with: #""vdm.checkpoint.requests":21"#)
        #expect(damaged[k] != log.lines[k])
        let path = dir.path("tampered.json")
        try write(damaged, to: path)
        let result = try SummariesVerifier.verify(paths: [path])
        let v = try #require(result.instances.first)
        #expect(!result.isComplete)
        #expect(v.gaps.isEmpty)
        let d = try #require(v.firstDisagreement)
        #expect(d.location.line == k + 1)
        #expect(!d.recordsMissingBelow)
        #expect(d.fields == [FieldDifference(field: "requests", logged: 21, recomputed: 20)])
        #expect(v.disagreeing == 1)
        let json = result.json()
        #expect(json.contains("\"recordsMissingBelow\" : false"))
    }

    @Test func looseEndsAreListed() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let log = try await makeLog(dir, requests: 20, leaveOpen: 2)
        let result = try SummariesVerifier.verify(paths: [log.path])
        #expect(result.instances.first?.looseEnds.count == 2)
        #expect(result.text().contains("started but never completed: 2"))
    }

    static func sequence(of line: String) -> UInt64? {
        guard let r = line.range(of: #""event.sequence":"#) else { return nil }
        return UInt64(line[r.upperBound...].prefix { $0.isNumber })
    }
}

@Suite struct TraceTests {
    @Test func findsARequestAndListsCandidatesForAnAmbiguousPrefix() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let logged = try LoggedTracker(path: dir.path("vdm.json"), instanceID: "inst-t", summaryInterval: 3)
        await Workload.run(logged, requests: 30, seed: 23, idPrefix: "req-")
        let all = try lines(of: logged.path)
        let completedLine = try #require(all.first { $0.contains("request.completed") })
        let idRange = try #require(completedLine.range(of: #""http.request.id":""#))
        let id = String(completedLine[idRange.upperBound...].prefix { $0 != "\"" })

        let found = try TraceCollector.trace(prefix: String(id.prefix(12)), paths: [logged.path])
        guard case .found(let trace) = found else { Issue.record("not found: \(found.text())"); return }
        #expect(trace.requestID == id)
        #expect(trace.records.first?.summary.action == "request.started")
        #expect(trace.records.contains { $0.summary.action == "request.completed" })
        #expect(trace.records.map(\.summary.sequence) == trace.records.map(\.summary.sequence).sorted())
        #expect(trace.timeline.map(\.event).contains("completed"))
        #expect(trace.timeline.first?.event == "received" || trace.timeline.first?.event == "upstream called")
        #expect(trace.completed?.requestID == id)
        #expect(found.exitCode == 0)
        #expect(found.text().contains("timeline:"))
        #expect(found.json().contains("\"found\""))

        let ambiguous = try TraceCollector.trace(prefix: "req-", paths: [logged.path])
        guard case .ambiguous(_, let candidates, _) = ambiguous else { Issue.record("expected ambiguous"); return }
        #expect(candidates.count == 30)
        #expect(ambiguous.exitCode == 1)
        let none = TraceCollector.trace(prefix: "zzz", lines: all, name: "x")
        #expect(none == .notFound(prefix: "zzz"))
        #expect(none.exitCode == 1)
    }
}
