import Foundation
import Logging
import LogPipeline
import Testing

@Suite struct ConsoleFormatterTests {
    @Test func lineHasTheSeedShape() throws {
        let c = Captured()
        CorrelationContext.$current.withValue(CorrelationContext(id: "abcd1234-ffff-0000-0000-000000000000")) {
            c.logger().info("START | Model: x")
        }
        let line = ConsoleFormatter().format(try #require(c.records.first))
        let pattern = #/^\d\d:\d\d:\d\d - INFO - \[abcd1234\] START \| Model: x\n$/#
        #expect(line.wholeMatch(of: pattern) != nil, "\(line)")
    }

    @Test func lineWithoutRequestHasNoBracket() throws {
        let c = Captured()
        c.logger().warning("plain")
        let line = ConsoleFormatter().format(try #require(c.records.first))
        #expect(line.wholeMatch(of: #/^\d\d:\d\d:\d\d - WARNING - plain\n$/#) != nil, "\(line)")
    }

    @Test func newlinesAndControlCharactersCannotForgeALine() throws {
        let c = Captured()
        c.logger().info("model gpt\n12:00:00 - INFO - [deadbeef] SUCCESS\r\u{1b}[2J\u{7f}")
        let line = ConsoleFormatter().format(try #require(c.records.first))
        #expect(line.filter { $0 == "\n" || $0 == "\r" }.count == 1)
        #expect(line.contains(#"gpt\n12:00:00"#))
        #expect(line.contains(#"\r\x1b[2J\x7f"#))
    }

    @Test func levelNamesAreThePythonOnes() {
        #expect(Logger.Level.warning.consoleName == "WARNING")
        #expect(Logger.Level.critical.consoleName == "CRITICAL")
        #expect(Logger.Level.info.syslogPriority == 6)
        #expect(Logger.Level.trace.syslogPriority == 7)
        #expect(Logger.Level.notice.syslogPriority == 5)
        #expect(Logger.Level.critical.syslogPriority == 2)
    }
}

@Suite struct CorrelationTests {
    /// The Python original mixed ids under concurrency and leaked a stale id afterwards.
    @Test func thousandConcurrentTasksEachSeeOnlyTheirOwnID() async throws {
        let c = Captured()
        let logger = c.logger("AsyncHTTPClient")  // as any library would log
        await withTaskGroup(of: Void.self) { group in
            for i in 0..<1_000 {
                group.addTask {
                    let id = String(format: "req-%04d-%@", i, UUID().uuidString)
                    await CorrelationContext.$current.withValue(CorrelationContext(id: id)) {
                        logger.info("one", metadata: ["expect": .string(id)])
                        await Task.yield()
                        logger.info("two", metadata: ["expect": .string(id)])
                        async let child: Void = { logger.info("child", metadata: ["expect": .string(id)]) }()
                        await child
                    }
                }
            }
        }
        logger.info("after")
        let records = c.records
        #expect(records.count == 3_001)
        for record in records.dropLast() where record.message != "after" {
            guard case .string(let expected)? = record.metadata["expect"] else {
                Issue.record("missing expectation")
                continue
            }
            #expect(record.correlationID == expected)
        }
        let after = try #require(records.first { $0.message == "after" })
        #expect(after.correlationID == nil)
    }

    @Test func metadataProviderExposesTheIDToAnyHandler() {
        #expect(CorrelationContext.metadataProvider.get().isEmpty)
        CorrelationContext.$current.withValue(CorrelationContext(id: "x-1")) {
            #expect(CorrelationContext.metadataProvider.get()[CorrelationContext.metadataKey] == .string("x-1"))
        }
    }

    @Test func clientRequestIDsAreAcceptedOnlyWhenSane() {
        #expect(CorrelationContext.isSaneID("abc-123_X.y"))
        #expect(CorrelationContext.isSaneID(String(repeating: "a", count: 128)))
        #expect(!CorrelationContext.isSaneID(String(repeating: "a", count: 129)))
        #expect(!CorrelationContext.isSaneID(""))
        #expect(!CorrelationContext.isSaneID("abc\n123"))
        #expect(!CorrelationContext.isSaneID("a b"))
        #expect(!CorrelationContext.isSaneID("ünï"))
    }
}

@Suite struct DowngradeAndLevelTests {
    @Test func noisyInfoBecomesDebugAndIsStillWritten() throws {
        let c = Captured(level: .info)
        c.logger("AsyncHTTPClient.connection").info("connection established")
        c.logger("vdm.request").info("ours")
        c.logger("NIOPosix").warning("stays a warning")
        let records = c.records
        #expect(records.count == 3)
        #expect(records[0].level == .debug)
        #expect(records[0].originalLevel == .info)
        #expect(records[1].level == .info)
        #expect(records[1].originalLevel == nil)
        #expect(records[2].level == .warning)
        let json = ECSJSONEncoder().encode(records[0])
        #expect(json.contains(#""log.level":"debug""#))
        #expect(json.contains(#""vdm.original_level":"info""#))
    }

    @Test func atDebugNothingIsRelabelled() {
        let c = Captured(level: .debug)
        c.logger("Hummingbird").info("request")
        #expect(c.records.first?.level == .info)
    }

    @Test(arguments: [
        ("DEBUG", Logger.Level.debug, false), ("info", .info, false), ("WARNING", .warning, false), ("warn", .warning, false),
        ("ERROR", .error, false), ("CRITICAL", .critical, false), ("debug extra words", .debug, false),
        ("LOUD", .info, true), ("", .info, false), ("  ", .info, false),
    ])
    func logLevelParsing(raw: String, level: Logger.Level, warns: Bool) {
        let parsed = LogLevelSetting.parse(raw)
        #expect(parsed.level == level)
        #expect((parsed.warning != nil) == warns)
    }

    @Test func summaryIntervalParsing() {
        #expect(SummaryIntervalSetting.parse(nil).interval == 100)
        #expect(SummaryIntervalSetting.parse("0").interval == 0)
        #expect(SummaryIntervalSetting.parse("25").interval == 25)
        let bad = SummaryIntervalSetting.parse("-3")
        #expect(bad.interval == 100)
        #expect(bad.warning != nil)
        #expect(SummaryIntervalSetting.parse("ten").warning != nil)
    }
}
