import Foundation
import LogPipeline
import RealComponent
import Testing

/// `vdm replay -j N` (issue #19 §4) through the real executable: splitting files into chunks and
/// reading them on several tasks changes nothing in what replay prints. The oracle is `-j 1`, which
/// reads every file whole, one reader (its own exactness is ReplayExactnessTests' and
/// DemoFixtureTests'); the literal cases pin file:line numbers by hand.
@Suite struct ParallelReplayCLITests {
    static func vdm(_ arguments: [String]) async throws -> ExternalTool.Output {
        try await DemoFixtureCLITests.vdm(arguments)
    }

    /// stdout without the generation time, plus stderr and the exit status: all of what a run says.
    static func said(_ run: ExternalTool.Output, _ format: TotalsFormat) -> String {
        "status \(run.status)\n" + format.comparable(run.stdout) + "\n--- stderr\n" + run.stderr
    }

    static func demoLines() throws -> [String] {
        try DemoFixtureTests.text(DemoFixtureTests.jsonLines).split(separator: "\n").map(String.init)
    }

    // MARK: property

    /// The request id of a record line, if it has one.
    static func requestID(of line: String) -> Substring? {
        guard let r = line.range(of: "\"http.request.id\":\"") else { return nil }
        return line[r.upperBound...].prefix { $0 != "\"" }
    }

    /// A fresh seed, and the seed with which the first `-j N` (whose chunk reader could not see a
    /// record's first copy in an earlier chunk) printed another last record for an open request.
    @Test(arguments: [UInt64?.none, 1_796_191_277_078])
    func anySplitOfSeededRandomLogsPrintsWhatOneReaderPrints(fixed: UInt64?) async throws {
        let seed = fixed ?? TestSeed.announced("ParallelReplayCLITests")
        print("ParallelReplayCLITests: seed \(seed)")
        var rng = SplitMix64(state: seed)
        // The repeats placed before their request's start draw from their own generator, so the
        // fixed seed still builds the logs it built when it failed.
        var placement = SplitMix64(state: seed ^ 0x9E37_79B9_7F4A_7C15)
        let dir = try TempDirectory()
        defer { dir.remove() }
        let generated = dir.path("generated.jsonl")
        let gen = try await Self.vdm(["bench", "gen-logs", "--size", "120K", "--out", generated, "--instances", "3",
                                      "--seed", "\(rng.next() % 1000)"])
        #expect(gen.status == 0, "\(gen.stderr)")
        let base = try String(contentsOfFile: generated, encoding: .utf8).split(separator: "\n").map(String.init) + (try Self.demoLines())
        let garbage = ["{\"broken\": ", "not json at all", "\u{1}\u{2}binary", "", "   ", "[1,2,3]", "{\"vdm.schema\":1}"]
        for round in 0..<4 {
            var lines: [String] = []
            var starts: [Substring: String] = [:]
            for line in base {
                let roll = rng.below(100)
                if roll < 3 { continue }  // a gap: the record is lost
                // A completion lost: its request stays open, and its last record is reported.
                if line.contains("\"event.action\":\"request.completed\"") && placement.below(100) < 25 { continue }
                if roll < 6, let junk = garbage.randomElement(using: &rng) { lines.append(junk) }
                lines.append(roll < 9 ? line + "\r" : line)  // CRLF lines are read as LF lines
                if roll >= 96 { lines.insert(line, at: rng.below(lines.count + 1)) }  // a repeat, anywhere
                guard let id = Self.requestID(of: line) else { continue }
                if line.contains("\"event.action\":\"request.started\"") {
                    starts[id] = line
                } else if roll >= 88 && roll < 96, let start = starts[id], let at = lines.firstIndex(of: start) {
                    // A repeat whose first copy lies before its request's start (a shipper re-sending
                    // an old batch): one reader drops the later copy, so it is not the last record.
                    lines.insert(line, at: placement.below(at + 1))
                }
            }
            // Many files (some empty, some tiny), cut at random lines; the last maybe without a newline.
            let fileCount = 1 + rng.below(6)
            var cuts = Set((0..<(fileCount - 1)).map { _ in rng.below(lines.count + 1) })
            cuts.insert(lines.count)
            var paths: [String] = []
            var from = 0
            for (k, cut) in cuts.sorted().enumerated() {
                let path = dir.path("r\(round)-\(k).jsonl")
                let part = lines[from..<cut]
                let unterminated = cut == lines.count && rng.below(3) == 0
                try ((part.isEmpty ? "" : part.joined(separator: "\n") + (unterminated ? "" : "\n"))).write(toFile: path, atomically: true, encoding: .utf8)
                paths.append(path)
                from = cut
            }
            if rng.below(2) == 0 { paths.append(dir.path("r\(round)-0.jsonl")) }  // a file given twice
            let empty = dir.path("r\(round)-empty.jsonl")
            try "".write(toFile: empty, atomically: true, encoding: .utf8)
            paths.append(empty)
            // Tiny chunks: most lines (200–1,500 bytes) lie at a split.
            let chunk = 1 + rng.below(4000)
            print("seed \(seed) round \(round): \(lines.count) lines in \(paths.count) files, chunks of \(chunk) bytes")
            for (format, extra) in [("yaml", ["--by-instance"]), ("json", []), ("prometheus", [])] {
                let comparable = TotalsFormat(rawValue: format)
                func said(_ run: ExternalTool.Output) -> String {
                    "status \(run.status)\n" + (comparable?.comparable(run.stdout) ?? run.stdout) + "\n--- stderr\n" + run.stderr
                }
                let args = ["replay", "--format", format, "--chunk-bytes", "\(chunk)"] + extra
                let one = said(try await Self.vdm(args + ["-j", "1"] + paths))
                #expect(one.contains("problems: "), "the mutations show up in the report")
                for jobs in 2...8 {
                    let many = said(try await Self.vdm(args + ["-j", "\(jobs)"] + paths))
                    #expect(many == one, "seed \(seed) round \(round) -j \(jobs) --chunk-bytes \(chunk) \(format)")
                }
            }
            // The mergeable state too: merged back, the same totals and report.
            let (s1, s4) = (dir.path("r\(round)-1.state"), dir.path("r\(round)-4.state"))
            #expect(try await Self.vdm(["replay", "--quiet", "-j", "1", "--state", s1] + paths).status == 0)
            #expect(try await Self.vdm(["replay", "--quiet", "-j", "4", "--chunk-bytes", "\(chunk)", "--state", s4] + paths).status == 0)
            let m1 = Self.said(try await Self.vdm(["merge", s1]), .yaml)
            let m4 = Self.said(try await Self.vdm(["merge", s4]), .yaml)
            #expect(m1 == m4, "seed \(seed) round \(round): merge of the states")
        }
    }

    // MARK: literal cases at chunk boundaries

    /// The demo log with bad lines at known places, split into chunks of 700 bytes (a demo line is
    /// 600–1,500 bytes, so nearly every line straddles a nominal split point).
    @Test func aBadLineInALaterChunkIsReportedAtItsFileLine() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        var lines = try Self.demoLines()
        lines.insert("{\"broken\": ", at: 60)  // line 61
        lines.insert("not json", at: 90)  // line 91
        let path = dir.path("demo-bad.jsonl")
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let one = try await Self.vdm(["replay", "-j", "1", path])
        let four = try await Self.vdm(["replay", "-j", "4", "--chunk-bytes", "700", path])
        #expect(four.stderr.contains("\(path):61: malformed JSON: "), "\(four.stderr)")
        #expect(four.stderr.contains("\(path):91: malformed JSON: "), "\(four.stderr)")
        #expect(four.stderr.contains("2 malformed JSON"), "\(four.stderr)")
        #expect(TotalsFormat.yaml.comparable(four.stdout) == TotalsFormat.yaml.comparable(try DemoFixtureTests.text(DemoFixtureTests.expectedYAML)))
        #expect(Self.said(four, .yaml) == Self.said(one, .yaml))
    }

    /// Hand-written records of one instance: a plain line (of a request, or none) and a start.
    struct Lines {
        static let node = "0c0ffee0-0000-4000-8000-00000000000a"
        static func plain(_ seq: Int, _ id: String?, _ message: String) -> String {
            "{\"@timestamp\":\"2026-12-02T04:43:03.757185Z\",\"log.level\":\"info\",\"message\":\"\(message)\",\"ecs.version\":\"9.4.0\","
                + "\"log.logger\":\"vdm.test\",\"service.name\":\"vandamme-proxy\",\"service.node.name\":\"\(node)\",\"event.sequence\":\(seq),"
                + (id.map { "\"http.request.id\":\"\($0)\"," } ?? "") + "\"vdm.schema\":2}"
        }
        /// The demo's first start (line 6), moved to this instance, sequence and request.
        static func started(_ seq: Int, _ id: String) throws -> String {
            try ParallelReplayCLITests.demoLines()[5]
                .replacingOccurrences(of: "\"service.node.name\":\"bed136e8-805a-4ff8-922a-2a7d34cfe142\"", with: "\"service.node.name\":\"\(node)\"")
                .replacingOccurrences(of: "\"event.sequence\":6,", with: "\"event.sequence\":\(seq),")
                .replacingOccurrences(of: "ead24d37-d6aa-4c4e-8dc8-502090a688fd", with: id)
        }
        /// The demo's first completion (line 10), moved likewise.
        static func completed(_ seq: Int, _ id: String) throws -> String {
            try ParallelReplayCLITests.demoLines()[9]
                .replacingOccurrences(of: "\"service.node.name\":\"bed136e8-805a-4ff8-922a-2a7d34cfe142\"", with: "\"service.node.name\":\"\(node)\"")
                .replacingOccurrences(of: "\"event.sequence\":10,", with: "\"event.sequence\":\(seq),")
                .replacingOccurrences(of: "ead24d37-d6aa-4c4e-8dc8-502090a688fd", with: id)
        }
    }

    /// The case the first `-j N` got wrong, by hand: request R starts at line 3; its record of
    /// sequence 5 is first read at line 2 (before the start, so not R's record yet) and again at
    /// line 5. One reader drops line 5 as a repeat, so R's last record is line 4 (sequence 3) —
    /// also when line 5 is in a chunk of its own, whose reader alone takes it for new.
    @Test(arguments: [1, 2, 400, 1_000])
    func aRepeatOfARecordFirstReadBeforeItsRequestsStartIsNotItsLastRecord(chunk: Int) async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let path = dir.path("repeat.jsonl")
        let lines = [Lines.plain(1, nil, "boot"), Lines.plain(5, "R", "late note"), try Lines.started(2, "R"),
                     Lines.plain(3, "R", "upstream answered"), Lines.plain(5, "R", "late note"), Lines.plain(6, nil, "idle")]
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let one = try await Self.vdm(["replay", "-j", "1", path])
        for run in [one, try await Self.vdm(["replay", "-j", "2", "--chunk-bytes", "\(chunk)", path]),
                    try await Self.vdm(["replay", "-j", "4", "--chunk-bytes", "\(chunk)", path])] {
            #expect(run.stderr.contains("\(path):5: duplicate record: instance \(Lines.node) sequence 5: identical to \(path):2 (dropped)"), "\(run.stderr)")
            #expect(run.stderr.contains("instance \(Lines.node) request R: started \(path):3"), "\(run.stderr)")
            #expect(run.stderr.contains("last record: \(path):4 seq 3 info vdm.test: upstream answered"), "\(run.stderr)")
            #expect(Self.said(run, .yaml) == Self.said(one, .yaml), "--chunk-bytes \(chunk)")
        }
    }

    /// A repeat and a conflict read within a later chunk: the chunk's reader names the first copy
    /// by its own line number (3 of the chunk), which appending renumbers to the file's (lines 7
    /// and 8), in the problem's location and in the position its detail names.
    @Test func aRepeatWithinALaterChunkNamesTheFilesLines() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let path = dir.path("later.jsonl")
        var lines = (1...8).map { Lines.plain($0, nil, "note \($0)") }
        lines += [Lines.plain(7, nil, "note 7"), Lines.plain(8, nil, "another note")]
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        // The first split is just after line 6's newline; lines 7-10 are shorter than a chunk.
        let chunkBytes = lines[..<6].reduce(0) { $0 + $1.utf8.count + 1 }
        let one = try await Self.vdm(["replay", "-j", "1", path])
        for run in [one, try await Self.vdm(["replay", "-j", "2", "--chunk-bytes", "\(chunkBytes)", path])] {
            #expect(run.stderr.contains("\(path):9: duplicate record: instance \(Lines.node) sequence 7: identical to \(path):7 (dropped)"), "\(run.stderr)")
            #expect(run.stderr.contains("\(path):10: conflicting record: instance \(Lines.node) sequence 8: differs from \(path):8, which comes first"),
                    "\(run.stderr)")
        }
        #expect(Self.said(try await Self.vdm(["replay", "-j", "2", "--chunk-bytes", "\(chunkBytes)", path]), .yaml) == Self.said(one, .yaml))
    }

    /// Requests in flight at splits, by hand, one line per chunk: A completes after a split (not
    /// open); B's latest record comes after several splits; C's completion (line 4) comes before its
    /// start (line 8), so they cancel; D starts, completes and starts again (open from line 11).
    @Test func requestsInFlightAtSplitsEndAsOneReaderEndsThem() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let path = dir.path("flight.jsonl")
        let lines = [try Lines.started(1, "A"), try Lines.started(2, "B"), Lines.plain(3, "B", "first byte"), try Lines.completed(4, "C"),
                     Lines.plain(5, "A", "streaming"), try Lines.completed(6, "A"), Lines.plain(7, "B", "still streaming"),
                     try Lines.started(8, "C"), try Lines.started(9, "D"), try Lines.completed(10, "D"), try Lines.started(11, "D"),
                     Lines.plain(12, "B", "done?")]
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let one = try await Self.vdm(["replay", "-j", "1", path])
        #expect(one.stderr.contains("started but never completed (not in the totals): 2\n"), "\(one.stderr)")
        #expect(one.stderr.contains("request B: started \(path):2"), "\(one.stderr)")
        #expect(one.stderr.contains("last record: \(path):12 seq 12 info vdm.test: done?"), "\(one.stderr)")
        #expect(one.stderr.contains("request D: started \(path):11"), "\(one.stderr)")
        #expect(one.stderr.contains("last record: \(path):11 seq 11 info request.started: START"), "\(one.stderr)")
        for jobs in 2...4 {
            let many = try await Self.vdm(["replay", "-j", "\(jobs)", "--chunk-bytes", "1", path])
            #expect(Self.said(many, .yaml) == Self.said(one, .yaml), "-j \(jobs)")
        }
    }

    @Test func splitPointsFallAfterANewlineWhateverTheNominalOffset() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let path = dir.path("lines.jsonl")
        // Lines of 10, 1, 25 and 3 bytes (with their newlines), the last without one: 39 bytes.
        try "aaaaaaaaa\n\nbbbbbbbbbbbbbbbbbbbbbbbb\ncc\r".write(toFile: path, atomically: true, encoding: .utf8)
        // Each chunk ends at the first newline at or after its start + 8 - 1: bytes 9, 35, then the end.
        let chunks = try #require(try FileChunk.plan(path: path, chunkBytes: 8))
        #expect(chunks.map { [$0.start, $0.end] } == [[0, 10], [10, 36], [36, 39]])
        // No counting pass: each chunk is read numbered from 1 and renumbered when appended (the
        // file:line cases above check the numbers a report names).
        #expect(chunks.map(\.firstLine) == [1, 1, 1])
        // A chunk of one byte: one line each (the blank line too).
        #expect(try FileChunk.plan(path: path, chunkBytes: 1)?.map { [$0.start, $0.end] } == [[0, 10], [10, 11], [11, 36], [36, 39]])
        // A split point inside the one long line: the line stays whole, in one chunk.
        #expect(try FileChunk.plan(path: path, chunkBytes: 20)?.map { [$0.start, $0.end] } == [[0, 36], [36, 39]])
        // Not split: smaller than a chunk, empty, gzip, journal export.
        #expect(try FileChunk.plan(path: path, chunkBytes: 39) == nil)
        let empty = dir.path("empty.jsonl")
        try "".write(toFile: empty, atomically: true, encoding: .utf8)
        #expect(try FileChunk.plan(path: empty, chunkBytes: 1) == nil)
        let gz = dir.path("x.gz")
        try Data([0x1F, 0x8B] + Array(repeating: 0x0A, count: 30)).write(to: URL(fileURLWithPath: gz))
        #expect(try FileChunk.plan(path: gz, chunkBytes: 4) == nil)
        let export = dir.path("x.export")
        try "__CURSOR=s=1\nVDM_ECS_JSON={}\n\n__CURSOR=s=2\n\n".write(toFile: export, atomically: true, encoding: .utf8)
        #expect(try FileChunk.plan(path: export, chunkBytes: 4) == nil)
    }

    @Test func smallEmptyUnterminatedAndCRLFFilesAtTinyChunks() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let lines = try Self.demoLines()
        let crlf = dir.path("crlf.jsonl")
        try (lines.prefix(40).joined(separator: "\r\n") + "\r\n").write(toFile: crlf, atomically: true, encoding: .utf8)
        let cut = dir.path("cut.jsonl")
        // The rest of the log, its last line cut off in the middle (no newline): line 57 of this file.
        let rest = Array(lines.dropFirst(40))
        try (rest.dropLast().joined(separator: "\n") + "\n" + String(rest[rest.count - 1].prefix(50))).write(toFile: cut, atomically: true, encoding: .utf8)
        let small = dir.path("small.jsonl")
        try (lines[0] + "\n").write(toFile: small, atomically: true, encoding: .utf8)
        let empty = dir.path("empty.jsonl")
        try "".write(toFile: empty, atomically: true, encoding: .utf8)
        let paths = [crlf, cut, small, empty]
        let one = try await Self.vdm(["replay", "-j", "1"] + paths)
        #expect(one.stderr.contains("\(cut):\(rest.count): truncated last line: no newline at the end of the file"), "\(one.stderr)")
        #expect(one.stderr.contains("1 repeated record(s) dropped"), "small.jsonl repeats line 1 of crlf.jsonl: \(one.stderr)")
        for chunk in [1, 2, 500, 1_000, 100_000] {
            let many = try await Self.vdm(["replay", "-j", "3", "--chunk-bytes", "\(chunk)"] + paths)
            #expect(Self.said(many, .yaml) == Self.said(one, .yaml), "--chunk-bytes \(chunk)")
        }
    }

    @Test func jobsAndChunkBytesAreBounded() async throws {
        for bad in [["-j", "0"], ["-j", "257"], ["--chunk-bytes", "0"], ["--progress-threshold", "-1"]] {
            let run = try await Self.vdm(["replay"] + bad + [DemoFixtureTests.jsonLines])
            #expect(run.status == 64, "\(bad): \(run.stderr)")
            #expect(run.stdout.isEmpty)
        }
    }

    // MARK: progress line

    /// Not a terminal (a pipe, as here): no progress line, even past the threshold; the report is
    /// the same with any threshold.
    @Test func noProgressLineWhenStderrIsNotATerminal() async throws {
        let quiet = try await Self.vdm(["replay", "-j", "2", DemoFixtureTests.jsonLines])
        let eager = try await Self.vdm(["replay", "-j", "2", "--progress-threshold", "0", DemoFixtureTests.jsonLines])
        #expect(!eager.stderr.contains("\r"))
        #expect(!eager.stderr.contains("MB/s"))
        #expect(Self.said(eager, .yaml) == Self.said(quiet, .yaml))
    }

    /// A terminal (`script` gives the command a pty): the line shows bytes, rate and ETA, and is
    /// cleared at the end. stdin, written a second late, holds the replay open long enough for
    /// several redraws (the regular file sets the total).
    @Test func progressLineOnATerminal() async throws {
        let script = try RealComponent.program("script", package: "bsdutils")
        let command = "(sleep 1; cat \(DemoFixtureTests.jsonLines)) | \(VDMProcess.binary) replay --quiet --progress-threshold 0 "
            + "\(DemoFixtureTests.jsonLines) - >/dev/null"
        let run = try await ExternalTool.run(script, ["-qec", command, "/dev/null"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains(" MB/s  ETA "), "\(run.stdout.debugDescription)")
        #expect(run.stdout.contains("\r["), "\(run.stdout.debugDescription)")
        #expect(run.stdout.hasSuffix("\r" + String(repeating: " ", count: 80) + "\r"), "cleared at the end: \(run.stdout.debugDescription)")
    }
}
