import Foundation
import LogPipeline
import Testing
import VDMProxy
import MockUpstream
import VDMBench

/// `vdm serve --log-target journald` against the private journald of `scripts/with-journald`, then the
/// real `vdm trace PREFIX --journal --directory DIR` finds that request's records by prefix alone.
@Suite struct TraceJournalTests {

    @Test func traceFindsARequestInTheJournalByPrefix() async throws {
        let directory = try PrivateJournal.require()
        let clientID = "journal-trace-\(UUID().uuidString.lowercased())"
        let requestID = try #require(try await Self.send(clientIDs: [clientID]).first)
        // journald stores asynchronously: poll the real command until both records are there.
        var output = ""
        for _ in 0..<50 {
            let result = try await Self.trace(String(requestID.prefix(20)), directory: directory)
            output = result.output
            if result.status == 0, output.contains("request.completed") { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(output.contains("request.started"), "\(output)")
        #expect(output.contains("request.completed"), "\(output)")
        #expect(output.contains(requestID))
        #expect(!output.contains("sk-journal-trace-0123456789abcdefghij"))
    }

    @Test func anAmbiguousPrefixListsTheCandidatesFromTheJournal() async throws {
        let directory = try PrivateJournal.require()
        // Ids are vdm's own (random hex): of 17 requests, two share a first digit (pigeonhole), and
        // that one-character prefix is ambiguous.
        let sent = try await Self.send(clientIDs: (0..<17).map { "amb-\($0)" })
        let groups = Dictionary(grouping: sent) { $0.prefix(1) }
        let (first, shared) = try #require(groups.first { $0.value.count >= 2 })
        let common = String(first)
        let ids = shared
        var result = (status: Int32(0), output: "")
        for _ in 0..<50 {
            result = try await Self.trace(common, directory: directory)
            if ids.allSatisfy(result.output.contains) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(result.status == 1, "\(result.output)")
        #expect(ids.allSatisfy(result.output.contains), "\(result.output)")
        #expect(!result.output.contains("request.completed"), "candidates only, no records: \(result.output)")
    }

    /// The real `vdm trace PREFIX --journal --directory DIR --json`: exit status and output.
    static func trace(_ prefix: String, directory: String) async throws -> (status: Int32, output: String) {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("vdm-trace-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        let child = try ChildProcess.start(ServeProcessTests.binary, ["trace", prefix, "--journal", "--directory", directory, "--json"], env: [:], output: log)
        let status = try await child.exitStatus(within: .seconds(60)) ?? -1  // -1: killed at the deadline
        return (status, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }

    /// One streamed request per client id through a proxy logging to journald only; returns the ids
    /// vdm gave them (its `x-request-id` replies).
    static func send(clientIDs: [String]) async throws -> [String] {
        try await MockUpstream.withRunning { mock in
            let env = ["OPENAI_API_KEY": "sk-journal-trace-0123456789abcdefghij", "OPENAI_BASE_URL": mock.baseURL + "/v1", "LOG_SUMMARY_INTERVAL": "0"]
            let setup = try ServeSetup.make(env: env, host: "127.0.0.1", port: 0, console: false, logTarget: "journald")
            #expect(setup.logs.mode.effective == ["journald"])
            return try await ProxyRunner.withRunning(setup.server) { proxy in
                var ids: [String] = []
                for clientID in clientIDs {
                    let reply = try await TestHTTP.post(proxy.baseURL + "/v1/messages", body: anthropicBody(stream: true),
                                                        headers: [("x-request-id", clientID)]).complete()
                    #expect(reply.status == 200)
                    ids.append(try #require(reply.headers.first(name: "x-request-id")))
                }
                while await proxy.tracker.activeCount > 0 { try await Task.sleep(for: .milliseconds(20)) }
                return ids
            }
        }
    }
}
