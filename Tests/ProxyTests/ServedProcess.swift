import Foundation
@testable import VDMProxy
import VDMBench

/// A real `vdm serve` child process (the built binary) with its output where the test says, and the
/// few HTTP calls the sink tests make to it.
final class ServedProcess: Sendable {
    let process: Process
    let port: Int
    var baseURL: String { "http://127.0.0.1:\(port)" }
    var pid: Int32 { process.processIdentifier }

    /// Starts `vdm serve --port P` plus `arguments`, stdout and stderr to `output`, and waits for /health.
    init(arguments: [String], env extra: [String: String], output: FileHandle) async throws {
        port = try await ServerPorts.free()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ServeProcessTests.binary)
        process.arguments = ["serve", "--port", String(port)] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(extra) { _, new in new }
        process.standardOutput = output
        process.standardError = output
        try process.run()
        self.process = process
        try await ProxyBench.waitUntilUp(baseURL + "/health")
    }

    /// GET through the tests' one HTTP helper, the body read whole.
    func get(_ path: String, timeout: Duration = .seconds(10)) async throws -> TestHTTP.Reply {
        try await TestHTTP.send(baseURL + path, timeout: timeout).complete()
    }

    /// SIGTERM, then waits for the exit (at most `timeout`); returns the exit status, nil if it is still running.
    func stop(timeout: Duration = .seconds(60)) async throws -> Int32? {
        if process.isRunning { kill(pid, SIGTERM) }
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning {
            kill(pid, SIGKILL)
            return nil
        }
        return process.terminationStatus
    }

    /// The value of one Prometheus sample line (`name{labels}`), if present.
    static func sample(_ exposition: String, _ series: String) -> Double? {
        exposition.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.dropFirst(series.count + 1)) }
    }
}
