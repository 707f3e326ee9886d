import Foundation
import LogPipeline
import Testing
@testable import MockUpstream
@testable import VDMProxy
import VDMDemo

/// journald forwarding between two private journals: a proxy logs into the private journald of
/// `scripts/with-journald`; `systemd-journal-upload` sends that journal over loopback HTTP to a
/// `systemd-journal-remote` writing a directory of its own; the real `vdm replay --journal` of the
/// receiving directory equals the sender's, document for document, and holds this proxy's totals.
@Suite struct JournalForwardingTests {
    static let requests = 40

    @Test func theReceivingJournalReplaysToTheSendersTotals() async throws {
        let sender = try PrivateJournal.require()
        let jsonLog = FileManager.default.temporaryDirectory.appendingPathComponent("vdm-forward-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: jsonLog) }
        let sinceSeconds = WallClock.nowMicros() / 1_000_000
        try await MockUpstream.withRunning { mock in
            let env = [
                "OPENAI_API_KEY": "sk-journal-forward-0123456789abcdefghij", "OPENAI_BASE_URL": mock.baseURL + "/v1",
                "ANTHROPIC_API_KEY": E2E.anthropicKey, "ANTHROPIC_BASE_URL": mock.baseURL,
                "VDM_DEFAULT_PROVIDER": "openai", "LOG_SUMMARY_INTERVAL": "9", "REQUEST_TIMEOUT": "10",
            ]
            let setup = try ServeSetup.make(env: env, host: "127.0.0.1", port: 0, console: false, logTarget: "journald,json:\(jsonLog)")
            #expect(setup.logs.mode.effective.contains("journald"))
            try await ProxyRunner.withRunning(setup.server) { proxy in
                let (counts, unexpected) = try await DemoTraffic.send(DemoWorkload.requests(count: Self.requests), to: proxy.baseURL, concurrency: 6)
                #expect(unexpected.isEmpty, "\(unexpected)")
                #expect(counts.values.reduce(0, +) == Self.requests)
            }
        }
        // The oracle for this process: its JSON file's replay.
        let fromFile = try await Replay.run(paths: [jsonLog])
        let instance = try #require(fromFile.instances.keys.first)
        let expected = RunningTotalsYAML.render(try fromFile.runningTotals(instance: instance), generatedMicros: 0)
        #expect(expected.contains("total_requests: \(Self.requests)"), "\(expected)")
        func instanceTotals(_ directory: String) throws -> String {
            let state = try JournalReplay.state(source: .directory(directory), since: UInt64(sinceSeconds) * 1_000_000, until: nil)
            return RunningTotalsYAML.render(try state.runningTotals(instance: instance), generatedMicros: 0)
        }
        // journald stores asynchronously: wait (bounded) until the sender holds all of this process.
        try await Deadline.waitUntil("the sender's journal holds the proxy's records") { (try? instanceTotals(sender)) == expected }
        // A closed window for the whole-journal comparison: it ends before the upload starts, so other
        // suites logging meanwhile add nothing to it on either side.
        let untilSeconds = WallClock.nowMicros() / 1_000_000 + 1
        try await Deadline.waitUntil("the window has closed") { WallClock.nowMicros() / 1_000_000 > untilSeconds }

        let remote = try await JournalRemote()
        defer { remote.removeFiles() }
        let uploaded = try await remote.upload(from: sender)
        #expect(uploaded == 0, "\(remote.uploadOutput)")
        try await Deadline.waitUntil("the receiver holds the proxy's records") { (try? instanceTotals(remote.directory)) == expected }

        let window = ["--since", "@\(sinceSeconds)", "--until", "@\(untilSeconds)", "--format", "json", "--quiet"]
        let sent = try await Self.replay(["replay", "--journal", "--directory", sender] + window)
        var received = ""
        try await Deadline.waitUntil("the receiver's replay equals the sender's") {
            received = try await Self.replay(["replay", "--journal", "--directory", remote.directory] + window)
            return received == sent
        }
        #expect(received == sent)
        #expect(sent.contains(#""total_requests":"#), "\(sent)")
        await remote.stop()
    }

    /// `vdm replay` (the built binary) with the generation time blanked, the one field two runs differ in.
    static func replay(_ arguments: [String]) async throws -> String {
        let out = try await ExternalTool.run(ServeProcessTests.binary, arguments)
        guard out.status == 0 else { throw TestFailure("vdm \(arguments.joined(separator: " ")): \(out.status) \(out.stderr)") }
        return out.stdout.replacing(/"generated":"[^"]*"/, with: #""generated":"""#)
    }
}
