import Foundation
import Logging
import LogPipeline
import Synchronization
import Testing
import Journald

/// Against the real systemd-journald that scripts/with-journald starts in a private mount namespace.
/// Serialized: some tests stop, freeze or restart that journald, or take over /dev/log. Each test
/// starts with `JournaldTestEnvironment.require()` (no journald: a failure in CI, a visible skip elsewhere).
@Suite(.serialized)
struct RealJournaldTests {
    let factory = RecordFactory()

    /// Sends `records` through a fresh JournaldSink and waits until journald has stored them all.
    func send(_ records: [LogRecord], _ env: JournaldTestEnvironment) throws {
        let notices = NoticeLog()
        let sink = JournaldSink(notice: notices.sink)
        for record in records { sink.write(record) }
        sink.flush()
        sink.close()
        #expect(notices.all.isEmpty)
        #expect(sink.effectiveTarget == "journald")
        let reader = try env.reader
        let stored = try env.waitFor(records.count) { try reader.entries(factory.query).collect().count }
        #expect(stored == records.count)
    }

    private func mixedRecords() -> [LogRecord] {
        let id = correlationID()
        let failed = correlationID()
        return [
            factory.record("POST /v1/messages", correlationID: id,
                           payload: RequestStartedPayload(metrics: metrics(id), toolsDefined: 2, maxTokens: 1024)),
            factory.record("completed", correlationID: id, payload: RequestCompletedPayload(metrics: metrics(id))),
            factory.record("failed", level: .error, correlationID: failed,
                           payload: RequestCompletedPayload(metrics: metrics(failed, error: "upstream said no"))),
            factory.record("SUMMARY", payload: SummaryCheckpointPayload(interval: 100, totals: MetricCounters())),
            factory.record("MODELS (cumulative) | gpt-4o: 1", payload: EventMarkerPayload(action: EventAction.summaryModels)),
            factory.record("ERRORS (cumulative) | upstream_error: 1", level: .warning,
                           payload: EventMarkerPayload(action: EventAction.summaryErrors)),
            factory.record("a library line", level: .debug, correlationID: id,
                           metadata: ["a.b": "dot", "a_b": "underscore", "lower": "x", "9lives": "cat", "_hidden": "h",
                                      "BAD-NAME": "dash", String(repeating: "long.", count: 20): "long"],
                           error: SampleError(description: "a Swift error"), originalLevel: .info),
        ]
    }

    // MARK: - fields

    @Test func everyFieldSentIsReadBackByJournalctlAndTheReader() throws {
        let env = try JournaldTestEnvironment.require()
        let records = mixedRecords()
        try send(records, env)

        let expected = records.map { expectedFields($0) }
        let viaJournalctl = try env.journalctlJSON([factory.instanceMatch])
        let viaReader = try env.reader.entries(factory.query).collect()
        try #require(viaJournalctl.count == records.count)
        try #require(viaReader.count == records.count)
        for (index, sent) in expected.enumerated() {
            #expect(sent.keys.allSatisfy(JournalFieldName.isValid))
            // Same names (nothing silently dropped, nothing extra) and same bytes, both ways.
            #expect(Set(clientFields(viaJournalctl[index]).keys) == Set(sent.keys))
            #expect(clientFields(viaJournalctl[index]) == sent)
            #expect(clientFields(viaReader[index].fields) == sent)
            #expect(viaReader[index].realtimeMicros > 0)
            #expect(!viaReader[index].cursor.isEmpty)
            #expect(viaReader[index].cursor == viaJournalctl[index]["__CURSOR"].map { String(decoding: $0, as: UTF8.self) })
            #expect(viaReader[index].realtimeMicros
                == viaJournalctl[index]["__REALTIME_TIMESTAMP"].flatMap { UInt64(String(decoding: $0, as: UTF8.self)) })
        }
    }

    @Test func everyPayloadFieldArrivesUnderItsDocumentedName() throws {
        let env = try JournaldTestEnvironment.require()
        let id = correlationID()
        let payload = RequestCompletedPayload(metrics: metrics(id, error: "boom"))
        let record = factory.record("completed", level: .error, correlationID: id, payload: payload)
        try send([record], env)

        let entry = try #require(try env.reader.entries(factory.query).collect().first)
        let visited = PayloadFields.of(payload)
        #expect(visited.count >= 20)
        for (key, value) in visited {
            #expect(entry[JournalFieldName.forField(key)] == value, "\(key)")
        }
        #expect(entry["MESSAGE_ID"] == JournaldMessageID.requestCompleted)
        #expect(entry[JournalFieldName.eventAction] == "request.completed")
        var ecs = ECSJSONEncoder().encode(record)
        ecs.removeLast()
        #expect(entry.ecsJSON == Array(ecs.utf8))
    }

    @Test func priorityFollowsTheLevel() throws {
        let env = try JournaldTestEnvironment.require()
        let levels: [(Logger.Level, String)] = [
            (.trace, "7"), (.debug, "7"), (.info, "6"), (.notice, "5"), (.warning, "4"), (.error, "3"), (.critical, "2"),
        ]
        try send(levels.map { factory.record("level \($0.0)", level: $0.0) }, env)
        let entries = try env.reader.entries(factory.query).collect()
        #expect(entries.map { $0["PRIORITY"] } == levels.map(\.1))
        #expect(entries.map { $0[JournalFieldName.level] } == levels.map { $0.0.ecsName })
        // journalctl's own priority filter agrees: -p 4 is warning and worse.
        #expect(try env.journalctlJSON([factory.instanceMatch, "-p", "4"]).count == 3)
    }

    @Test func multiLineMessagesArriveWhole() throws {
        let env = try JournaldTestEnvironment.require()
        let text = "upstream failed:\n  at frame 1\n  at frame 2\n\ttabbed"
        try send([factory.record(text, level: .error), factory.record(String(repeating: "x", count: 100_000) + "\nend")], env)
        let viaReader = try env.reader.entries(factory.query).collect()
        #expect(viaReader.first?.message == text)
        #expect(viaReader.last?.message?.utf8.count == 100_004)
        let viaJournalctl = try env.journalctlJSON([factory.instanceMatch])
        #expect(viaJournalctl.first?["MESSAGE"] == Array(text.utf8))
    }

    // MARK: - redaction

    @Test func messageIsTheRedactingConsoleLineWithoutTimeAndLevel() throws {
        let env = try JournaldTestEnvironment.require()
        let id = correlationID()
        let records = [
            factory.record("calling upstream with Authorization: Bearer abc.def.ghi", correlationID: id),
            factory.record("plain line, no request", level: .warning),
            factory.record("failed", level: .error, correlationID: id, error: SampleError(description: "x-api-key: sk-test-123")),
        ]
        try send(records, env)
        let console = ConsoleFormatter()
        let entries = try env.reader.entries(factory.query).collect()
        try #require(entries.count == records.count)
        for (record, entry) in zip(records, entries) {
            // `HH:MM:SS - LEVEL - ` then the text, then the newline.
            let line = console.format(record)
            let text = String(line.dropFirst(8 + 3 + record.level.consoleName.count + 3).dropLast())
            #expect(entry.message == text)
        }
    }

    /// Depends on the real redactor (Sources/LogPipeline/Redaction/Redactor.swift); fails while the
    /// placeholder that returns text unchanged is in place.
    @Test func anthropicKeyNeverReachesTheJournal() throws {
        let env = try JournaldTestEnvironment.require()
        let key = "sk-ant-api03-" + "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-Ab"
        let id = correlationID()
        try send([factory.record("using key \(key)", correlationID: id, metadata: ["auth": "\(key)"],
                                 error: SampleError(description: "rejected \(key)"))], env)
        let raw = try run("/usr/bin/journalctl", ["--directory", env.journalDirectory, "-o", "export", factory.instanceMatch])
        #expect(!raw.isEmpty)
        let leaks = raw.components(separatedBy: "sk-ant-api03-AbCd").count - 1
        #expect(leaks == 0, "the key appears \(leaks) times in `journalctl -o export`")
    }

    // MARK: - correlation lookup

    @Test func prefixLookupReturnsExactlyOneRequestsEntries() throws {
        let env = try JournaldTestEnvironment.require()
        let shared = "zq" + String(UUID().uuidString.lowercased().filter(\.isHexDigit).prefix(6))
        let a = correlationID(prefix: shared + "-aaaa")
        let b = correlationID(prefix: shared + "-bbbb")
        let c = correlationID(prefix: "zy" + String(UUID().uuidString.lowercased().filter(\.isHexDigit).prefix(6)))
        var records: [LogRecord] = []
        for i in 0..<4 {
            records.append(factory.record("a \(i)", correlationID: a))
            records.append(factory.record("b \(i)", correlationID: b))
            records.append(factory.record("c \(i)", correlationID: c))
            records.append(factory.record("no request \(i)"))
        }
        try send(records, env)
        let reader = try env.reader
        func ids(_ stream: JournalEntryStream) throws -> [String?] { try stream.collect().map(\.correlationID) }

        // 8 characters: the indexed field, exactly as `journalctl VDM_CORRELATION_PREFIX=…`.
        let cPrefix = String(c.prefix(8))
        #expect(try ids(reader.entries(correlationPrefix: cPrefix)) == Array(repeating: c, count: 4))
        let viaJournalctl = try env.journalctlJSON(["VDM_CORRELATION_PREFIX=\(cPrefix)"])
        #expect(viaJournalctl.map { $0["VDM_CORRELATION_ID"] } == Array(repeating: Array(c.utf8), count: 4))
        // `journalctl -t vandamme-proxy --grep PREFIX` finds the same entries through MESSAGE.
        let grepped = try env.journalctlJSON(["-t", "vandamme-proxy", "--grep", cPrefix])
        #expect(grepped.count == 4)

        // Shared first 8 characters: ambiguous, both ids listed; a longer prefix picks one.
        #expect(try reader.correlationIDs(matchingPrefix: shared) == [a, b])
        #expect(try ids(reader.entries(correlationPrefix: shared)).count == 8)
        #expect(try ids(reader.entries(correlationPrefix: shared + "-bb")) == Array(repeating: b, count: 4))
        #expect(try reader.correlationIDs(matchingPrefix: b) == [b])
        // Shorter than 8: expanded through the known prefixes.
        #expect(try reader.correlationIDs(matchingPrefix: String(c.prefix(5))) == [c])
        #expect(try reader.correlationIDs(matchingPrefix: "zzzz-none") == [])
        #expect(try reader.entries(correlationPrefix: "zx").collect().isEmpty)
    }

    @Test func readerTimeWindowAndFieldSubset() throws {
        let env = try JournaldTestEnvironment.require()
        try send((0..<3).map { factory.record("window \($0)") }, env)
        let reader = try env.reader
        let all = try reader.entries(factory.query).collect()
        try #require(all.count == 3)
        var window = factory.query
        window.since = all[1].realtimeMicros
        window.until = all[1].realtimeMicros
        window.fields = [JournalFieldName.ecsJSON, "MESSAGE"]
        let middle = try reader.entries(window).collect()
        #expect(middle.map(\.message) == ["window 1"])
        #expect(middle.first.map { Set($0.fields.keys) } == [JournalFieldName.ecsJSON, "MESSAGE"])
        #expect(middle.first?.cursor == all[1].cursor)
    }

    /// In the namespace the private journald's files are this machine's runtime journal.
    @Test func localAndSystemSourcesReadTheSameEntries() throws {
        let env = try JournaldTestEnvironment.require()
        try send((0..<3).map { factory.record("local \($0)") }, env)
        let expected = try env.reader.entries(factory.query).collect().map(\.cursor)
        #expect(try JournalReader(source: .local).entries(factory.query).collect().map(\.cursor) == expected)
        #expect(try JournalReader(source: .system).entries(factory.query).collect().map(\.cursor) == expected)
    }

    // MARK: - volume

    @Test func tenThousandRecordsWithoutLoss() throws {
        let env = try JournaldTestEnvironment.require()
        let count = 10_000
        let records = (0..<count).map { i in
            let id = "bulk\(String(format: "%04d", i % 100))-" + factory.instanceID
            return i % 2 == 0
                ? factory.record("completed \(i)", correlationID: id, payload: RequestCompletedPayload(metrics: metrics(id)))
                : factory.record("line \(i)", correlationID: id)
        }
        let notices = NoticeLog()
        // 10,000 records at once outrun journald on a loaded machine: with the default bounded wait the
        // excess would be dropped (and counted). This test is about delivery, so writers may wait.
        let sink = JournaldSink(policy: .lossless(8192), notice: notices.sink)
        let clock = ContinuousClock()
        let written = clock.measure { for record in records { sink.write(record) } }
        let flushed = clock.measure { sink.flush() }
        sink.close()
        #expect(notices.all.isEmpty)
        #expect(sink.deliveredCount == UInt64(count))

        let reader = try env.reader
        var stored = 0
        let settled = try clock.measure {
            stored = try env.waitFor(count, timeout: .seconds(60)) {
                try reader.entries(JournalQuery(matches: [JournalFieldName.instanceID: factory.instanceID],
                                                fields: [JournalFieldName.sequence])).collect().count
            }
        }
        #expect(stored == count)

        var sequences: [UInt64] = []
        var ecsOK = 0
        let encoder = ECSJSONEncoder()
        let readBack = try clock.measure {
            let stream = try reader.entries(factory.query)
            var index = 0
            while let entry = try stream.next() {
                sequences.append(entry[JournalFieldName.sequence].flatMap { UInt64($0) } ?? 0)
                var line = encoder.encode(records[min(index, count - 1)])
                line.removeLast()
                if entry.ecsJSON == Array(line.utf8) { ecsOK += 1 }
                index += 1
            }
        }
        #expect(sequences == records.map(\.sequence))
        #expect(ecsOK == count)
        var viaJournalctl = 0
        let journalctlTime = try clock.measure { viaJournalctl = try env.journalctlJSON([factory.instanceMatch]).count }
        #expect(viaJournalctl == count)
        print("journald 10k: enqueue \(written), flush \(flushed), stored after \(settled), "
              + "JournalReader read+check \(readBack), journalctl -o json \(journalctlTime)")
    }

    // MARK: - fallback

    @Test func journaldStoppedMidRunFallsBackToSyslogWithoutLoss() throws {
        let env = try JournaldTestEnvironment.require()
        let listener = try DevLogListener()
        defer {
            listener.stop()
            _ = try? env.journald("start")
        }
        let notices = NoticeLog()
        let sink = JournaldSink(notice: notices.sink)
        defer { sink.close() }
        let first = (0..<300).map { factory.record("before \($0)") }
        let second = (0..<300).map { factory.record("after \($0)") }
        for record in first { sink.write(record) }
        sink.flush()
        let reader = try env.reader
        #expect(try env.waitFor(first.count) { try reader.entries(factory.query).collect().count } == first.count)

        try env.journald("stop")
        for record in second { sink.write(record) }
        sink.flush()

        #expect(notices.all.count == 1)
        #expect(notices.all.first?.contains("sd_journal_sendv") == true)
        #expect(sink.effectiveTarget == "syslog")
        #expect(sink.fallbackReason != nil)
        let lines = listener.waitFor(second.count)
        let pid = getpid()
        #expect(lines == second.map { "<14>vandamme-proxy[\(pid)]: \($0.message)" })
        #expect(try reader.entries(factory.query).collect().map(\.message) == first.map(\.message))
    }

    @Test func journaldStoppedWithNoSyslogFallsBackToTheConsole() throws {
        let env = try JournaldTestEnvironment.require()
        let capture = try StandardErrorCapture()
        defer { _ = try? env.journald("start") }
        try env.journald("stop")  // its /dev/log goes with it

        let records = (0..<50).map { factory.record("to console \($0)", correlationID: "cons\($0)") }
        let sink = JournaldSink()  // the default chain and the default stderr notice
        defer { sink.close() }
        for record in records { sink.write(record) }
        sink.flush()
        let output = capture.finish()

        #expect(sink.effectiveTarget == "console")
        #expect(output.components(separatedBy: "vdm: journald output failed").count - 1 == 1)
        let console = ConsoleFormatter()
        for record in records {
            #expect(output.contains(console.format(record)), "\(record.message)")
        }
    }

    /// libsystemd reports success when the socket file is missing; the sink must not believe it.
    @Test func removedJournalSocketIsAFailureNotASilentLoss() throws {
        let env = try JournaldTestEnvironment.require()
        defer { _ = try? env.journald("start") }
        try env.journald("stop")
        unlink(LogTargetSelection.journaldSocketPath)

        let fallback = MemorySink()
        let notices = NoticeLog()
        let sink = JournaldSink(fallback: { fallback }, notice: notices.sink)
        defer { sink.close() }
        let records = (0..<10).map { factory.record("no socket \($0)") }
        for record in records { sink.write(record) }
        sink.flush()
        #expect(fallback.all.map(\.sequence) == records.map(\.sequence))
        #expect(notices.all.count == 1)
        #expect(sink.fallbackReason?.contains("is gone") == true)
    }

    @Test func frozenJournaldDoesNotHoldTheCallerAndLosesNothing() throws {
        let env = try JournaldTestEnvironment.require()
        let pid = try env.journaldPID()
        let fallback = MemorySink()
        let notices = NoticeLog()
        let sink = JournaldSink(policy: .lossless(16), stallTimeout: .milliseconds(300), fallback: { fallback }, notice: notices.sink)
        defer { sink.close() }
        let records = (0..<400).map { factory.record("frozen \($0)") }
        kill(pid, SIGSTOP)
        let started = ContinuousClock.now
        for record in records { sink.write(record) }
        let writing = ContinuousClock.now - started
        kill(pid, SIGCONT)
        sink.flush()

        #expect(writing < .seconds(3))
        #expect(notices.all.count == 1)
        #expect(sink.fallbackReason?.contains("no record accepted") == true)
        // The record that was in flight when journald froze is delivered once it thaws.
        let reader = try env.reader
        let expectedInJournal = records.count - fallback.all.count
        #expect(try env.waitFor(expectedInJournal) { try reader.entries(factory.query).collect().count } == expectedInJournal)
        let journalSequences = try reader.entries(factory.query).collect().compactMap { $0[JournalFieldName.sequence].flatMap(UInt64.init) }
        let all = journalSequences + fallback.all.map(\.sequence)
        #expect(all.sorted() == records.map(\.sequence))
    }

    // MARK: - syslog and selection

    @Test func syslogSinkThroughTheRealDevLog() throws {
        let env = try JournaldTestEnvironment.require()
        let token = UUID().uuidString.lowercased()
        let id = correlationID()
        let notices = NoticeLog()
        let sink = SyslogSink(facility: .local3, notice: notices.sink)
        let records = [
            factory.record("syslog \(token) info", correlationID: id),
            factory.record("syslog \(token) error\nsecond line\u{1b}", level: .error),
            factory.record("syslog \(token) debug", level: .debug),
        ]
        for record in records { sink.write(record) }
        sink.flush()
        #expect(sink.effectiveTarget == "syslog")
        #expect(notices.all.isEmpty)

        // journald's /dev/log parses the datagram into the standard syslog fields.
        let match = ["_TRANSPORT=syslog", "SYSLOG_IDENTIFIER=vandamme-proxy", "SYSLOG_PID=\(getpid())"]
        let found = try env.waitFor(records.count) {
            try env.journalctlJSON(match).filter { $0["MESSAGE"].map { String(decoding: $0, as: UTF8.self).contains(token) } == true }.count
        }
        #expect(found == records.count)
        let entries = try env.journalctlJSON(match).filter { $0["MESSAGE"].map { String(decoding: $0, as: UTF8.self).contains(token) } == true }
        func text(_ entry: [String: [UInt8]], _ name: String) -> String? { entry[name].map { String(decoding: $0, as: UTF8.self) } }
        #expect(entries.map { text($0, "MESSAGE") } == [
            "[\(id.prefix(8))] syslog \(token) info",
            #"syslog \#(token) error\nsecond line\x1b"#,
            "syslog \(token) debug",
        ])
        #expect(entries.map { text($0, "PRIORITY") } == ["6", "3", "7"])
        #expect(entries.allSatisfy { text($0, "SYSLOG_FACILITY") == "19" })
        sink.close()
    }

    @Test func selectionUsesJournaldWhenItAnswers() throws {
        _ = try JournaldTestEnvironment.require()
        let journald = try LogTargetSelection.build(requested: [.journald])
        defer { journald.sink.close() }
        #expect(journald.effective == ["journald"])
        #expect(journald.notes.isEmpty)
        #expect(LogTargetSelection.liveTargets(of: journald.sink) == ["journald"])
        let syslog = try LogTargetSelection.build(requested: [.syslog])
        defer { syslog.sink.close() }
        #expect(syslog.effective == ["syslog"])
        let both = try LogTargetSelection.build(requested: [.journald], journaldSocket: "/nonexistent/socket")
        defer { both.sink.close() }
        #expect(both.effective == ["syslog"])
        #expect(both.notes.count == 1)
    }
}
