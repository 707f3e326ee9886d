import Foundation
import RealComponent
import Testing
import VDMBench

/// A private `systemd-journal-remote` receiving over loopback HTTP into a journal directory of its
/// own, and the `systemd-journal-upload` that sends it a journal directory (Debian package
/// `systemd-journal-remote`, both). The receiver's files are ordinary journal files:
/// `journalctl --directory` and `vdm replay --journal --directory` read them.
final class JournalRemote: Sendable {
    static let remoteBinary = "/lib/systemd/systemd-journal-remote"
    static let uploadBinary = "/lib/systemd/systemd-journal-upload"

    let process: Process
    let directory: String
    let port: Int
    var url: String { "http://127.0.0.1:\(port)" }

    /// Starts the receiver (`--split-mode=none`: one output file, whatever host sent it) and waits
    /// (bounded) until its port accepts connections.
    init(timeout: Duration = .seconds(20)) async throws {
        let binary = try RealComponent.file(Self.remoteBinary, package: "systemd-journal-remote")
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("vdm-journal-remote-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        port = try await ServerPorts.free()
        let process = try Process.component(binary, ["--listen-http=127.0.0.1:\(port)", "--split-mode=none", "--output=\(directory)/remote.journal"],
                                            output: directory + ".out")
        self.process = process
        let deadline = ContinuousClock.now + timeout
        // Any HTTP answer (journal-remote answers GET / with an error) means it listens.
        while (try? await TestHTTP.send(url + "/", timeout: .seconds(1))) == nil {
            guard process.isRunning, ContinuousClock.now < deadline else {
                process.terminate()
                throw TestFailure("systemd-journal-remote did not listen on \(url): \(Self.text(directory + ".out"))")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Uploads every entry of the journal files in `source` (`--follow=no`: it exits when it has sent
    /// them all) and returns its exit status, or throws after `timeout`.
    func upload(from source: String, timeout: Duration = .seconds(120)) async throws -> Int32 {
        let binary = try RealComponent.file(Self.uploadBinary, package: "systemd-journal-remote")
        // No --save-state: nothing is written outside the test's own directories.
        let process = try ChildProcess.start(binary, ["--url=\(url)", "--directory=\(source)", "--follow=no"], env: [:],
                                             output: directory + ".upload.out").process
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                process.terminate()
                throw TestFailure("systemd-journal-upload still running after \(timeout): \(Self.text(directory + ".upload.out"))")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return process.terminationStatus
    }

    var uploadOutput: String { Self.text(directory + ".upload.out") }

    /// SIGTERM: the receiver closes its journal file.
    func stop() async { await process.stop(grace: .seconds(10)) }

    func removeFiles() {
        for path in [directory, directory + ".out", directory + ".upload.out"] { try? FileManager.default.removeItem(atPath: path) }
    }

    static func text(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
}
