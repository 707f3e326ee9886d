import Foundation
import LogPipeline
import Testing
import Journald

@Suite struct LogTargetTests {
    @Test func parsesAListOfTargets() throws {
        #expect(try LogTarget.parseList("journald,json:/var/log/vdm.json") == [.journald, .json("/var/log/vdm.json")])
        #expect(try LogTarget.parseList(" Syslog , console ,json ") == [.syslog, .console, .json("-")])
        #expect(try LogTarget.parseList("json:C:/odd:path") == [.json("C:/odd:path")])
        #expect(try LogTarget.parseList("console,console,stderr") == [.console])
    }

    @Test(arguments: ["", " , ", "kafka", "json:", "journald:x", "syslog:/dev/log"])
    func rejectsWhatItDoesNotKnow(_ text: String) {
        #expect(throws: LogTargetError.self) { try LogTarget.parseList(text) }
    }

    @Test func withoutJournaldOrSyslogItFallsBackToTheConsoleAndSaysSo() throws {
        let built = try LogTargetSelection.build(
            requested: [.journald], journaldSocket: "/nonexistent/journal.socket", syslogSocket: "/nonexistent/log")
        defer { built.sink.close() }
        #expect(built.effective == ["console"])
        #expect(built.notes.count == 1)
        #expect(built.notes.first?.contains("/nonexistent/journal.socket") == true)
        #expect(built.sink.name == "console")
    }

    @Test func syslogWithoutListenerIsConsole() throws {
        let built = try LogTargetSelection.build(requested: [.syslog], syslogSocket: "/nonexistent/log")
        defer { built.sink.close() }
        #expect(built.effective == ["console"])
        #expect(built.notes.count == 1)
    }

    @Test func severalTargetsFanOutAndDuplicatesCollapse() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vdm-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let built = try LogTargetSelection.build(
            requested: [.journald, .console, .json(path)], journaldSocket: "/nonexistent/j", syslogSocket: "/nonexistent/log")
        defer { built.sink.close() }
        #expect(built.effective == ["console", "json:\(path)"])
        #expect(built.notes.count == 2)  // the substitution, and console not added twice
        #expect(built.sink is FanOutSink)
        #expect(LogTargetSelection.liveTargets(of: built.sink) == ["console", "json:\(path)"])
    }

    @Test func unopenableJSONFileThrows() {
        #expect(throws: LogDestinationError.self) {
            try LogTargetSelection.build(requested: [.json("/nonexistent/dir/vdm.json")])
        }
    }

    @Test func aSubstitutionAtStartUpIsAFallback() throws {
        let built = try LogTargetSelection.build(
            requested: [.journald, .syslog], journaldSocket: "/nonexistent/j", syslogSocket: "/nonexistent/log")
        defer { built.sink.close() }
        #expect(built.effective == ["console"])
        #expect(built.systemOutputs.map(\.requested) == ["journald", "syslog"])
        #expect(built.fallbacks == [LogFallback(sink: "journald", to: "console"), LogFallback(sink: "syslog", to: "console")])
    }

    @Test func consoleAndJSONAreNotWatched() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vdm-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let built = try LogTargetSelection.build(requested: [.console, .json(path)])
        defer { built.sink.close() }
        #expect(built.systemOutputs.isEmpty)
        #expect(built.fallbacks.isEmpty)
    }

    /// A journald sink that fails after start-up: the output reports the fallback at once, no
    /// journald needed (a write after close is the deterministic way to make the sink switch).
    @Test func aSinkThatFailsLaterShowsItsFallbackAtOnce() {
        let fallback = MemorySink()
        let sink = JournaldSink(fallback: { fallback }, notice: { _ in })
        let output = SystemLogOutput(requested: "journald", sink: sink)
        #expect(output.effective == "journald")
        #expect(output.fallback == nil)
        sink.close()
        sink.write(RecordFactory().record("after close"))
        #expect(output.effective == "memory")
        #expect(output.fallback == LogFallback(sink: "journald", to: "memory"))
        #expect(fallback.all.map(\.message) == ["after close"])
    }

    @Test func noTargetMeansConsole() throws {
        let built = try LogTargetSelection.build(requested: [])
        defer { built.sink.close() }
        #expect(built.effective == ["console"])
        #expect(built.notes == ["no log target requested; using console"])
    }
}
