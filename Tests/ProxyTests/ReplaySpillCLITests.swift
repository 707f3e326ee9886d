import Foundation
import LogPipeline
import RealComponent
import Testing

/// `vdm replay` moves complete blocks' record slots to a temporary file in `TMPDIR`
/// (docs/analyzer.md "Memory"). Through the real executable: a `TMPDIR` that cannot be used is a
/// clear error with its own exit status (74), no totals printed; with a usable one `-j 1` and
/// `-j 2` (both spilling) print the same (the bench generator's log).
@Suite struct ReplaySpillCLITests {
    @Test func aTemporaryDirectoryThatCannotBeUsedIsExit74WithTheReason() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let log = dir.path("gen.jsonl")
        // One instance, ~10 MB: well over `InstanceLedger.completeBlocksKept` complete blocks.
        let gen = try await VDMProcess.run(["bench", "gen-logs", "--size", "10M", "--instances", "1", "--seed", "3", "--out", log])
        #expect(gen.status == 0, "\(gen.stderr)")
        let missing = dir.path("no-such-tmp")
        var environment = ProcessInfo.processInfo.environment
        environment["TMPDIR"] = missing
        let failed = try await VDMProcess.run(["replay", "-j", "1", log], environment: environment)
        #expect(failed.status == 74)
        #expect(failed.stdout.isEmpty)
        #expect(failed.stderr == "vdm replay: \(missing): replay's temporary file (of record slots) cannot be written or read here: No such file or directory\n",
                "\(failed.stderr)")
        environment["TMPDIR"] = dir.url.path
        let one = try await VDMProcess.run(["replay", "-j", "1", "--format", "json", log], environment: environment)
        let two = try await VDMProcess.run(["replay", "-j", "2", "--chunk-bytes", "1000000", "--format", "json", log], environment: environment)
        #expect(one.status == 0, "\(one.stderr)")
        #expect(TotalsFormat.json.comparable(two.stdout) == TotalsFormat.json.comparable(one.stdout))
        #expect(two.stderr == one.stderr)
    }
}
