import Foundation
import LogPipeline
import RealComponent
import Testing

/// The record reader: JSON details, every kind of bad input, compressed and journal inputs.
@Suite struct RecordReaderTests {
    static let completed = #"{"@timestamp":"2026-11-28T23:08:09.382331Z","log.level":"info","message":"SUCCESS","ecs.version":"8.11.0","log.logger":"vdm.request","service.name":"vandamme-proxy","service.instance.id":"inst-a","event.sequence":1,"http.request.id":"req-1","vdm.schema":1,"event.action":"request.completed","vdm.requested_model":"openai:gpt-4o","gen_ai.provider.name":"openai","gen_ai.request.model":"gpt-4o","vdm.streaming":false,"event.outcome":"success","http.response.status_code":200,"vdm.usage.input_tokens":10,"gen_ai.usage.output_tokens":20,"gen_ai.usage.cache_read.input_tokens":3,"gen_ai.usage.cache_creation.input_tokens":4,"gen_ai.usage.input_tokens":17,"vdm.tool_uses":1,"vdm.tool_results":1,"vdm.tool_calls":2,"vdm.message_count":3,"http.request.body.bytes":1234,"http.response.body.bytes":567,"vdm.start_us":1700000000000000,"event.duration":100000000,"vdm.upstream_duration_ns":90000000,"vdm.first_token_ns":0}"#

    func completed(seq: Int, instance: String = "inst-a", id: String = "req-1") -> String {
        Self.completed.replacingOccurrences(of: #""event.sequence":1"#, with: #""event.sequence":\#(seq)"#)
            .replacingOccurrences(of: #""service.instance.id":"inst-a""#, with: #""service.instance.id":"\#(instance)""#)
            .replacingOccurrences(of: #""http.request.id":"req-1""#, with: #""http.request.id":"\#(id)""#)
    }

    func replay(_ text: String, name: String = "t.json") throws -> ReplayState {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let path = dir.path(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return try Replay.readOne(path: path)
    }

    @Test func readsTheInputTokensOfVdmNotOfOTel() throws {
        let state = try replay(Self.completed + "\n")
        let totals = try state.runningTotals().summary
        #expect(totals.inputTokens == 10)
        #expect(totals.cacheReadTokens == 3)
        #expect(totals.cacheCreationTokens == 4)
        #expect(totals.requests == 1)
        #expect(state.problems.isEmpty)
    }

    @Test func escapesKeyOrderUnknownKeysAndWhitespace() throws {
        // Keys reversed, unknown keys of every type, nested labels, escapes in the model name,
        // spaces around tokens, a CRLF line end.
        let line = #"{ "vdm.first_token_ns" : 0, "x.unknown": {"a": [1, 2.5e3, true, null, {"b": "c\"}"}]}, "vdm.upstream_duration_ns":0, "event.duration":5000000, "vdm.start_us":1, "vdm.tool_calls":0,"vdm.tool_results":0,"vdm.tool_uses":0,"gen_ai.usage.cache_creation.input_tokens":0,"gen_ai.usage.cache_read.input_tokens":0,"gen_ai.usage.output_tokens":7,"vdm.usage.input_tokens":5,"event.outcome":"failure","error.type":"upstream_5xx","error.message":"bad \u00e9 \ud83d\ude00 \n","vdm.streaming":true,"gen_ai.request.model":"mod\u00e8le \"q\" \/ x","gen_ai.provider.name":"pr\u00f6xy","vdm.requested_model":"x","event.action":"request.completed","vdm.schema":1,"labels":{"k":"v"},"event.sequence":9,"service.instance.id":"i\u0041","\u0040timestamp":"2026-01-01T00:00:00.000000Z"}"# + "\r\n"
        let state = try replay(line)
        #expect(state.problems.isEmpty, "\(state.problems)")
        let totals = try state.runningTotals()
        let provider = try #require(totals.providers.first)
        #expect(provider.name == "pröxy")
        #expect(provider.models.first?.name == "modèle \"q\" / x")
        #expect(totals.summary.errors == 1)
        #expect(totals.summary.inputTokens == 5)
        #expect(state.instances["iA"] != nil)
        #expect(try state.aggregate().errorCounts == ["upstream_5xx": 1])
        #expect(provider.models.first?.counters.streaming.requests == 1)
    }

    @Test func everyKindOfBadInputIsCountedWithFileAndLine() throws {
        let unknown = completed(seq: 5).replacingOccurrences(of: "request.completed", with: "request.teleported")
        let newer = completed(seq: 6).replacingOccurrences(of: #""vdm.schema":1"#, with: "\"vdm.schema\":\(Schema.version + 1)")
        let missing = completed(seq: 7).replacingOccurrences(of: #""vdm.usage.input_tokens":10,"#, with: "")
        let wrongType = completed(seq: 8).replacingOccurrences(of: #""gen_ai.usage.output_tokens":20"#, with: #""gen_ai.usage.output_tokens":"20""#)
        var bytes = Data()
        func add(_ s: String) { bytes.append(Data(s.utf8)); bytes.append(0x0A) }
        add(completed(seq: 1))                                  // 1 ok
        add(#"{"@timestamp":"2026", "message": }"#)              // 2 malformed
        bytes.append(contentsOf: [0x00, 0x01, 0xFF, 0x7B, 0x1B, 0x0A])  // 3 binary garbage
        bytes.append(Data(#"{"message":""#.utf8)); bytes.append(contentsOf: [0xC3, 0x28]); bytes.append(Data(#"","vdm.schema":1}"#.utf8)); bytes.append(0x0A)  // 4 invalid UTF-8
        add(unknown)                                            // 5 unknown action
        add(newer)                                              // 6 newer schema
        add(#"{"hello":"world"}"#)                               // 7 foreign
        add(missing)                                            // 8 invalid (missing field)
        add(wrongType)                                          // 9 invalid (wrong type)
        add("   ")                                              // 10 blank: not a problem
        add(#"{"a":1} trailing"#)                                // 11 malformed
        add(#"{"a":"\x"}"#)                                      // 12 malformed (bad escape)
        add(#"{"a":"\ud800"}"#)                                  // 13 lone surrogate in an unknown key: valid JSON, foreign
        bytes.append(Data(String(completed(seq: 2).prefix(80)).utf8))  // 14 truncated, no newline
        let dir = try TempDir()
        defer { dir.cleanup() }
        let path = dir.path("bad.json")
        try bytes.write(to: URL(fileURLWithPath: path))
        let s = try Replay.readOne(path: path)
        let p = s.problems
        #expect(p.count(.malformedJSON) == 3)
        #expect(p.count(.binaryGarbage) == 1)
        #expect(p.count(.invalidUTF8) == 1)
        #expect(p.count(.unknownAction) == 1)
        #expect(p.count(.newerSchema) == 1)
        #expect(p.count(.foreignRecord) == 2)
        #expect(p.count(.invalidRecord) == 2)
        #expect(p.count(.truncatedLine) == 1)
        let at = { (kind: InputProblemKind) in p.examples.filter { $0.kind == kind }.map(\.location.line) }
        #expect(at(.malformedJSON) == [2, 11, 12])
        #expect(at(.binaryGarbage) == [3])
        #expect(at(.invalidUTF8) == [4])
        #expect(at(.unknownAction) == [5])
        #expect(at(.newerSchema) == [6])
        #expect(at(.foreignRecord) == [7, 13])
        #expect(at(.invalidRecord) == [8, 9])
        #expect(at(.truncatedLine) == [14])
        #expect(p.examples.allSatisfy { $0.location.file == path })
        #expect(p.examples.first { $0.kind == .invalidRecord }?.detail.contains("vdm.usage.input_tokens") == true)
        #expect(try s.runningTotals().summary.requests == 1)
        #expect(s.inputs.first?.stats.blankLines == 1)
        let report = ReplayReport.text(s)
        #expect(report.contains("\(path):2: malformed JSON"))
        #expect(report.contains("problems:"))
    }

    @Test func randomCorruptionNeverCrashes() throws {
        var rng = SeededRandom(seed: 1)
        let parser = RecordParser()
        let base = Array(completed(seq: 3).utf8)
        for _ in 0..<20_000 {
            var line = base
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: line = Array(line.prefix(Int.random(in: 0...line.count, using: &rng)))
            case 1: for _ in 0..<Int.random(in: 1...8, using: &rng) { line[Int.random(in: 0..<line.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
            case 2: line = (0..<Int.random(in: 0...64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            default: line.insert(contentsOf: Array(#"\u"#.utf8), at: Int.random(in: 0...line.count, using: &rng))
            }
            line.withUnsafeBytes { raw in
                switch parser.parse(raw) {
                case .record(.completed): _ = try? parser.completedMetrics()
                case .record: _ = parser.requestID; _ = parser.message; _ = parser.timestampMicros
                default: break
                }
            }
        }
    }

    @Test func longLinesAreReportedAndReadingGoesOn() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let path = dir.path("long.json")
        let huge = #"{"message":""# + String(repeating: "x", count: RecordReader.maxLineBytes + 10) + #""}"#
        try write([completed(seq: 1), huge, completed(seq: 2)], to: path)
        let s = try Replay.readOne(path: path)
        #expect(s.problems.count(.lineTooLong) == 1)
        #expect(s.problems.examples.first?.location.line == 2)
        #expect(try s.runningTotals().summary.requests == 2)
    }

    @Test func gzipIncludingConcatenatedMembersAndTruncation() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let plain = dir.path("a.json")
        try write((1...500).map { completed(seq: $0, id: "r\($0)") }, to: plain)
        let gz = try runProcess("/bin/gzip", ["-c", plain]).output
        let gzPath = dir.path("a.json.gz")
        try gz.write(to: URL(fileURLWithPath: gzPath))
        let s = try Replay.readOne(path: gzPath)
        #expect(try s.runningTotals().summary.requests == 500)
        #expect(s.problems.isEmpty)
        #expect(s.inputs.first?.stats.compressed == true)
        // Two members back to back (as `cat a.gz b.gz`).
        let second = dir.path("b.json")
        try write((501...600).map { completed(seq: $0, id: "r\($0)") }, to: second)
        let both = gz + (try runProcess("/bin/gzip", ["-c", second]).output)
        let bothPath = dir.path("both.gz")
        try both.write(to: URL(fileURLWithPath: bothPath))
        let s2 = try Replay.readOne(path: bothPath)
        #expect(try s2.runningTotals().summary.requests == 600)
        #expect(s2.problems.isEmpty)
        // Cut short: what was readable is used, the cut is reported.
        let cut = dir.path("cut.gz")
        try gz.prefix(gz.count / 2).write(to: URL(fileURLWithPath: cut))
        let s3 = try Replay.readOne(path: cut)
        #expect(s3.problems.count(.unreadableInput) == 1)
        #expect(try s3.runningTotals().summary.requests > 0)
    }

    /// Trailing bytes after valid gzip data (zeros after a crash or a copy, or junk that looks like
    /// another member) cost no line: every decodable line is used, the garbage is reported with the
    /// file. Large enough that the input spans many zlib reads and output chunks.
    @Test func gzipWithTrailingGarbageLosesNoLine() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        var members = Data()
        var total = 0
        for (k, count) in [15_000, 7_000, 1].enumerated() {
            let plain = dir.path("part-\(k).json")
            try write((1...count).map { completed(seq: total + $0, id: "r\(total + $0)") }, to: plain)
            members += try runProcess("/bin/gzip", ["-c", plain]).output
            total += count
        }
        let garbage: [(name: String, bytes: [UInt8], kind: InputProblemKind)] = [
            ("zeros", Array(repeating: 0, count: 10), .trailingGarbage),
            ("text", Array("not gzip\n".utf8), .trailingGarbage),
            ("fake member", [0x1F, 0x8B, 0x08, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x03, 0x01, 0x02], .unreadableInput),
        ]
        for g in garbage {
            let path = dir.path("\(g.name.replacingOccurrences(of: " ", with: "-")).json.gz")
            try (members + Data(g.bytes)).write(to: URL(fileURLWithPath: path))
            let s = try Replay.readOne(path: path)
            #expect(try s.runningTotals().summary.requests == total, "\(g.name)")
            #expect(s.inputs.first?.stats.lines == total, "\(g.name)")
            #expect(s.problems.total == 1 && s.problems.count(g.kind) == 1, "\(g.name): \(s.problems.counts)")
            #expect(s.problems.examples.first?.location.file == path, "\(g.name)")
            if g.kind == .trailingGarbage {
                #expect(s.problems.examples.first?.detail.contains("\(g.bytes.count) byte(s) after the last gzip member") == true, "\(g.name)")
            }
            #expect(ReplayReport.text(s).contains(path), "\(g.name)")
        }
        // The same members without garbage: no problem at all.
        let clean = dir.path("clean.json.gz")
        try members.write(to: URL(fileURLWithPath: clean))
        let s = try Replay.readOne(path: clean)
        #expect(try s.runningTotals().summary.requests == total)
        #expect(s.problems.isEmpty)
    }

    @Test func missingFileIsAClearError() async throws {
        await #expect(throws: InputError.self) { try await Replay.run(paths: ["/nonexistent/vdm.json"]) }
        do {
            _ = try await Replay.run(paths: ["/nonexistent/vdm.json"])
        } catch {
            #expect(error.description.contains("No such file"))
        }
    }

    // MARK: journald

    static func journalJSON(_ ecs: String, cursor: Int) -> String {
        var key: [UInt8] = []
        JSONBytes.appendString(ecs, to: &key)
        return #"{"__CURSOR":"s=abc;i=\#(cursor)","__REALTIME_TIMESTAMP":"1700000000000000","_BOOT_ID":"b","MESSAGE":"SUCCESS","SYSLOG_IDENTIFIER":"vandamme-proxy","VDM_ECS_JSON":"# + String(decoding: key, as: UTF8.self) + "}"
    }

    @Test func journalctlJSONEntries() throws {
        var lines = (1...20).map { Self.journalJSON(completed(seq: $0, id: "j\($0)"), cursor: $0) }
        // Binary values are arrays of byte values.
        let binary = Array(completed(seq: 21, id: "j21").utf8).map(String.init).joined(separator: ",")
        lines.append(#"{"__CURSOR":"s=abc;i=21","__REALTIME_TIMESTAMP":"1","VDM_ECS_JSON":[\#(binary)]}"#)
        lines.append(#"{"__CURSOR":"s=abc;i=22","__REALTIME_TIMESTAMP":"1","MESSAGE":"sshd: accepted"}"#)
        lines.append(#"{"__CURSOR":"s=abc;i=23","__REALTIME_TIMESTAMP":"1","VDM_ECS_JSON":null}"#)
        let s = try replay(lines.joined(separator: "\n") + "\n")
        #expect(try s.runningTotals().summary.requests == 21)
        #expect(s.problems.count(.foreignJournalEntry) == 1)
        #expect(s.problems.count(.malformedJournalEntry) == 1)
        #expect(s.problems.examples.first { $0.kind == .foreignJournalEntry }?.location.line == 22)
    }

    static func exportEntry(_ ecs: String, cursor: Int, binary: Bool) -> Data {
        var d = Data("__CURSOR=s=abc;i=\(cursor)\n__REALTIME_TIMESTAMP=1700000000000000\nMESSAGE=SUCCESS\n".utf8)
        if binary {
            d.append(Data("VDM_ECS_JSON\n".utf8))
            var length = UInt64(ecs.utf8.count).littleEndian
            withUnsafeBytes(of: &length) { d.append(contentsOf: $0) }
            d.append(Data(ecs.utf8))
            d.append(0x0A)
        } else {
            d.append(Data("VDM_ECS_JSON=\(ecs)\n".utf8))
        }
        d.append(Data("_PID=42\n\n".utf8))
        return d
    }

    @Test func journalctlExportEntries() throws {
        var data = Data()
        for i in 1...30 {
            // A message with a newline forces the binary form, as journald does.
            let ecs = i % 2 == 0 ? completed(seq: i, id: "e\(i)") : completed(seq: i, id: "e\(i)").replacingOccurrences(of: "SUCCESS", with: "multi\\nline")
            data.append(Self.exportEntry(ecs, cursor: i, binary: i % 3 == 0))
        }
        data.append(Data("__CURSOR=s=abc;i=99\nMESSAGE=kernel: hello\n\n".utf8))
        data.append(Data("__CURSOR=s=abc;i=100\nVDM_ECS_JSON\n".utf8))
        data.append(contentsOf: [0xFF, 0, 0, 0, 0, 0, 0, 0, 0x41])  // length 255, only 1 byte follows
        let dir = try TempDir()
        defer { dir.cleanup() }
        let path = dir.path("export.bin")
        try data.write(to: URL(fileURLWithPath: path))
        let s = try Replay.readOne(path: path)
        #expect(s.inputs.first?.stats.format == .journalExport)
        #expect(try s.runningTotals().summary.requests == 30)
        #expect(s.problems.count(.foreignJournalEntry) == 1)
        #expect(s.problems.count(.malformedJournalEntry) == 1)
        #expect(s.instances["inst-a"]?.sequences.gaps.isEmpty == true)
    }

    /// A real journal file (written by systemd-journal-remote from an export stream) read back
    /// with the real `journalctl -o json` and `-o export` (no such tools: `RealComponent`'s policy).
    @Test func realJournalctlOutput() throws {
        let remote = try RealComponent.file("/lib/systemd/systemd-journal-remote", package: "systemd-journal-remote")
        try RealComponent.file("/usr/bin/journalctl", package: "systemd")
        let dir = try TempDir()
        defer { dir.cleanup() }
        var data = Data()
        for i in 1...25 {
            var entry = Data("__REALTIME_TIMESTAMP=\(1_700_000_000_000_000 + i)\n__MONOTONIC_TIMESTAMP=\(i)\n_BOOT_ID=0123456789abcdef0123456789abcdef\nMESSAGE=SUCCESS\n".utf8)
            let ecs = completed(seq: i, id: "real\(i)")
            if i % 5 == 0 {
                entry.append(Data("VDM_ECS_JSON\n".utf8))
                let withNewline = ecs.replacingOccurrences(of: "\"SUCCESS\"", with: "\"SUCCESS\\n\"") + "\n"
                var length = UInt64(withNewline.utf8.count).littleEndian
                withUnsafeBytes(of: &length) { entry.append(contentsOf: $0) }
                entry.append(Data(withNewline.utf8))
                entry.append(0x0A)
            } else {
                entry.append(Data("VDM_ECS_JSON=\(ecs)\n".utf8))
            }
            entry.append(0x0A)
            data.append(entry)
        }
        let exportPath = dir.path("in.export")
        try data.write(to: URL(fileURLWithPath: exportPath))
        let journal = dir.path("test.journal")
        let made = try runProcess(remote, ["--output=\(journal)", exportPath])
        guard made.status == 0, FileManager.default.fileExists(atPath: journal) else {
            Issue.record("systemd-journal-remote failed (\(made.status))")
            return
        }
        for mode in ["json", "export"] {
            let out = try runProcess("/usr/bin/journalctl", ["--file=\(journal)", "-o", mode, "--all", "--no-pager"]).output
            let path = dir.path("out.\(mode)")
            try out.write(to: URL(fileURLWithPath: path))
            let s = try Replay.readOne(path: path)
            #expect(try s.runningTotals().summary.requests == 25, "journalctl -o \(mode)")
            #expect(s.problems.isEmpty, "journalctl -o \(mode): \(s.problems)")
            #expect(s.inputs.first?.stats.format == (mode == "export" ? .journalExport : .jsonLines))
        }
    }

    @Test func linesAPIForJournalReaders() throws {
        let state = Replay.state(lines: (1...5).map { completed(seq: $0, id: "l\($0)") }, name: "journal")
        #expect(try state.runningTotals().summary.requests == 5)
        #expect(state.inputs.first?.path == "journal")
    }
}
