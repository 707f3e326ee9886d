import Foundation
import LogPipeline
import Testing

/// Every numeric field of every record kind, set to every hostile value: no analyzer command
/// crashes, the record is reported at its file:line with the right kind, and the totals are those
/// of the other requests (computed here from the requests themselves, not by the analyzer).
@Suite struct HostileValueTests {
    /// A real log (real tracker, router, encoder, file sink): 4 requests, a checkpoint every 2.
    struct Log {
        var lines: [String]
        var finals: [RequestMetrics]
    }

    static func makeLog() async throws -> Log {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let logged = try LoggedTracker(path: dir.path("vdm.json"), instanceID: "inst-h", summaryInterval: 2)
        var finals: [RequestMetrics] = []
        for i in 0..<4 {
            let m = sampleMetrics("0000000\(i)-2222-3333-4444-555555555555", provider: ["openai", "anthropic"][i % 2],
                                  input: 10 + i, output: 20 + i, cacheRead: i, durationMillis: Int64(100 + i),
                                  error: i == 3 ? "boom" : nil, errorType: i == 3 ? "upstream_5xx" : nil)
            await logged.tracker.start(m, toolsDefined: 2, maxTokens: 4096)
            var final = m
            final.firstTokenNanos = 5_000_000
            final.stopReason = "end_turn"
            await logged.tracker.end(final)
            finals.append(final)
        }
        logged.flush()
        return Log(lines: try lines(of: logged.path), finals: finals)
    }

    /// Values that are no integer within any bound, as JSON text, and the problem kind each gives.
    static let values: [(text: String, kind: InputProblemKind)] = [
        ("-1", .outOfBounds), ("-5000000", .outOfBounds), ("\(Int64.min)", .outOfBounds), ("\(Int64.max)", .outOfBounds),
        ("9223372036854775808", .outOfBounds), ("-9223372036854775809", .outOfBounds), ("4611686018427387905", .outOfBounds),
        ("1.5", .invalidRecord), ("1e3", .invalidRecord), ("\"12\"", .invalidRecord), ("null", .invalidRecord),
        ("true", .invalidRecord), ("[1]", .invalidRecord), ("{\"a\":1}", .invalidRecord),
    ]

    static let completedFields: [RecordField] = [
        .inputTokens, .outputTokens, .cacheReadTokens, .cacheCreationTokens, .toolUses, .toolResults, .toolCalls, .messageCount,
        .requestBytes, .responseBytes, .startMicros, .durationNanos, .upstreamNanos, .firstTokenNanos, .httpStatus,
    ]
    static let startedFields: [RecordField] = [.toolUses, .toolResults, .messageCount, .requestBytes, .startMicros, .toolsDefined, .maxTokens]
    static let checkpointFields: [RecordField] = [
        .checkpointInterval, .checkpointRequests, .checkpointErrors, .checkpointInputTokens, .checkpointOutputTokens,
        .checkpointCacheReadTokens, .checkpointCacheCreationTokens, .checkpointToolUses, .checkpointToolResults,
        .checkpointToolCalls, .checkpointDurationNanos,
    ]

    /// `line` with `field` set to `value` (appended: the last of duplicate keys wins, as in any reader).
    static func set(_ field: RecordField, _ value: String, in line: String) -> String {
        String(line.dropLast()) + ",\"\(field.key)\":\(value)}"
    }

    static func yaml(_ metrics: [RequestMetrics]) throws -> String {
        var a = MetricsAggregate()
        for m in metrics { try a.add(m) }
        return RunningTotalsYAML.render(RunningTotals(aggregate: a, active: [], filter: TotalsFilter(), includeActive: false), generatedMicros: 0)
    }

    static func index(of action: String, _ n: Int, in lines: [String]) throws -> Int {
        let hits = lines.indices.filter { lines[$0].contains("\"event.action\":\"\(action)\"") }
        return try #require(hits.count > n ? hits[n] : nil)
    }

    /// Runs replay, its state file round trip and merge, summaries and trace over `lines`, and
    /// returns the replay state (each command must return, not trap).
    static func analyse(_ lines: [String], name: String, traceID: String) throws -> ReplayState {
        let state = Replay.state(lines: lines, name: name)
        let decoded = try ReplayOutput.decode(try ReplayOutput.encode(state), path: "state")
        var merged = ReplayState()
        merged.merge(decoded)
        #expect(try merged.runningTotals() == state.runningTotals())
        _ = SummariesVerifier.verify(lines: lines, name: name).text()
        _ = TraceCollector.trace(prefix: traceID, lines: lines, name: name).text()
        _ = ReplayReport.text(state)
        return state
    }

    @Test func completedRecords() async throws {
        let log = try await Self.makeLog()
        let victim = 1
        let line = try Self.index(of: EventAction.requestCompleted, victim, in: log.lines)
        let others = try Self.yaml(log.finals.enumerated().filter { $0.offset != victim }.map(\.element))
        for field in Self.completedFields {
            for (value, kind) in Self.values {
                var lines = log.lines
                lines[line] = Self.set(field, value, in: lines[line])
                let state = try Self.analyse(lines, name: "h.json", traceID: log.finals[victim].requestID)
                let label = "\(field.key) = \(value)"
                #expect(RunningTotalsYAML.render(try state.runningTotals(), generatedMicros: 0) == others, "\(label)")
                #expect(state.problems.total == 1 && state.problems.count(kind) == 1, "\(label): \(state.problems.counts)")
                #expect(state.problems.examples.first?.location == SourceLocation(file: "h.json", line: line + 1), "\(label)")
                // Summaries reports the record too (the checkpoint after it then disagrees).
                let summaries = SummariesVerifier.verify(lines: lines, name: "h.json")
                #expect(summaries.problems.count(kind) == 1, "\(label)")
            }
        }
    }

    @Test func zeroIsAValueNotAProblem() async throws {
        let log = try await Self.makeLog()
        let line = try Self.index(of: EventAction.requestCompleted, 0, in: log.lines)
        for field in Self.completedFields {
            var lines = log.lines
            lines[line] = Self.set(field, "0", in: lines[line])
            let state = try Self.analyse(lines, name: "z.json", traceID: log.finals[0].requestID)
            #expect(state.problems.isEmpty, "\(field.key) = 0: \(state.problems.counts)")
            #expect(try state.runningTotals().summary.requests == 4, "\(field.key) = 0")
        }
    }

    @Test func startedAndCheckpointRecords() async throws {
        let log = try await Self.makeLog()
        let all = try Self.yaml(log.finals)
        let cases = [(EventAction.requestStarted, Self.startedFields), (EventAction.summaryCheckpoint, Self.checkpointFields)]
        for (action, fields) in cases {
            let line = try Self.index(of: action, 0, in: log.lines)
            for field in fields {
                for (value, kind) in Self.values {
                    var lines = log.lines
                    lines[line] = Self.set(field, value, in: lines[line])
                    let state = try Self.analyse(lines, name: "s.json", traceID: log.finals[0].requestID)
                    let label = "\(action) \(field.key) = \(value)"
                    #expect(RunningTotalsYAML.render(try state.runningTotals(), generatedMicros: 0) == all, "\(label)")
                    #expect(state.problems.total == 1 && state.problems.count(kind) == 1, "\(label): \(state.problems.counts)")
                    #expect(state.problems.examples.first?.location == SourceLocation(file: "s.json", line: line + 1), "\(label)")
                    #expect(state.looseEnds.count == 0, "\(label)")
                }
            }
        }
    }

    @Test func envelopeNumbers() async throws {
        let log = try await Self.makeLog()
        let line = try Self.index(of: EventAction.requestCompleted, 2, in: log.lines)
        let others = try Self.yaml(log.finals.enumerated().filter { $0.offset != 2 }.map(\.element))
        for field in [RecordField.sequence, .schema] {
            for (value, _) in Self.values + [("0", .invalidRecord)] {
                var lines = log.lines
                lines[line] = Self.set(field, value, in: lines[line])
                let state = try Self.analyse(lines, name: "e.json", traceID: log.finals[2].requestID)
                let label = "\(field.key) = \(value)"
                // Any positive 64-bit sequence number is a valid one (the original number is then a gap).
                if field == .sequence, let n = Int64(value), n >= 1 {
                    #expect(state.problems.isEmpty, "\(label): \(state.problems.counts)")
                    #expect(state.instances["inst-h"]?.sequences.gaps.isEmpty == false, "\(label)")
                    continue
                }
                #expect(RunningTotalsYAML.render(try state.runningTotals(), generatedMicros: 0) == others, "\(label)")
                #expect(state.problems.total == 1, "\(label): \(state.problems.counts)")
                #expect(state.problems.examples.first?.location.line == line + 1, "\(label)")
            }
        }
    }

    /// A `--state` file is outside input: out-of-range counters, totals that disagree with the
    /// records kept, too many examples and another version are each refused with the reason.
    @Test func hostileStateFilesAreRefused() async throws {
        let log = try await Self.makeLog()
        let text = String(decoding: try ReplayOutput.encode(Replay.state(lines: log.lines, name: "st.json")), as: UTF8.self)
        #expect(try ReplayOutput.decode(Data(text.utf8), path: "good").runningTotals() == Replay.state(lines: log.lines, name: "st.json").runningTotals())
        func replacing(_ pattern: String, with replacement: String, last: Bool = false) throws -> String {
            var found = try #require(text.range(of: pattern, options: .regularExpression))
            while last, let next = text.range(of: pattern, options: .regularExpression, range: found.upperBound..<text.endIndex) { found = next }
            return text.replacingCharacters(in: found, with: replacement)
        }
        let examples = (0..<200).map { #"{"kind":"malformed_json","location":{"file":"x","line":\#($0)},"detail":"d"}"# }.joined(separator: ",")
        let cases: [(String, String, String)] = [
            ("a bucket counter past 2^62", try replacing(#""inputTokens":[0-9]+"#, with: #""inputTokens":4611686018427387905"#), "invalid partial totals"),
            ("a negative bucket counter", try replacing(#""outputTokens":[0-9]+"#, with: #""outputTokens":-3"#), "invalid partial totals"),
            ("a kept request that disagrees with the block's totals", try replacing(#""outputTokens":[0-9]+"#, with: #""outputTokens":1"#, last: true), "totals differ from its records"),
            ("too many examples", try replacing(#""examples":\["#, with: #""examples":["# + examples + ","), "more problem examples"),
            ("an older version", try replacing(#""version":2"#, with: #""version":1"#), "older than"),
        ]
        for (label, hostile, reason) in cases {
            #expect(hostile != text, "\(label)")
            #expect(throws: InputError.self, "\(label)") { try ReplayOutput.decode(Data(hostile.utf8), path: "hostile") }
            do {
                _ = try ReplayOutput.decode(Data(hostile.utf8), path: "hostile")
            } catch {
                #expect(error.reason.contains(reason), "\(label): \(error.reason)")
            }
        }
    }

    /// Two requests whose durations are each within bounds but whose sum is not: the second is
    /// refused, live and in replay alike (logged, an error line, not in the totals).
    @Test func aSumPastTheBoundIsRefusedLiveAndInReplay() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let logged = try LoggedTracker(path: dir.path("big.json"), instanceID: "inst-big", summaryInterval: 0)
        let longest = RecordBounds.durationNanos.upperBound
        let count = Int(RecordBounds.total.upperBound / longest) + 1
        for i in 0..<count {
            var m = sampleMetrics(String(format: "%08d-2222-3333-4444-555555555555", i))
            await logged.tracker.start(m)
            m.durationNanos = longest
            await logged.tracker.end(m)
        }
        logged.flush()
        let live = await logged.tracker.runningTotals(includeActive: false)
        #expect(live.summary.requests == count - 1)
        #expect(live.summary.durationNanos == Int64(count - 1) * longest)
        let lines = try lines(of: logged.path)
        #expect(lines.filter { $0.contains("\"event.action\":\"request.completed\"") }.count == count)
        #expect(lines.contains { $0.contains("is not in the totals: duration_ns would pass the bound") })
        let state = try Replay.readOne(path: logged.path)
        #expect(try state.runningTotals() == live)
        #expect(state.problems.count(.outOfBounds) == 1)
        #expect(state.looseEnds.count == 0)
        #expect(await logged.tracker.activeCount == 0)
        // Delivered twice, the refused request is a repeat like any other record, not a conflict.
        let twice = Replay.state(lines: lines + lines, name: "big-twice.json")
        #expect(try twice.runningTotals() == live)
        #expect(twice.problems.count(.duplicateRecord) == lines.count)
        #expect(twice.problems.count(.conflictingRecord) == 0)
    }
}
