import Foundation
import VDMProxy
import VDMBench

/// A real `vdm serve` child process (the built binary, started as every child is, by `ChildProcess`) on
/// a free port, with its output where the test says, and the few HTTP calls the sink tests make to it.
final class ServedProcess: Sendable {
    let child: ChildProcess
    let port: Int
    var baseURL: String { "http://127.0.0.1:\(port)" }
    var pid: Int32 { child.pid }

    /// Starts `vdm serve --port P` plus `arguments`, stdout and stderr to `output`, and waits for /health.
    init(arguments: [String], env extra: [String: String], output: FileHandle) async throws {
        port = try await ServerPorts.free()
        child = try ChildProcess.start(ServeProcessTests.binary, ["serve", "--port", String(port)] + arguments, env: extra, output: output)
        try await ProxyBench.waitUntilUp(baseURL + "/health")
    }

    /// GET through the tests' one HTTP helper, the body read whole.
    func get(_ path: String, timeout: Duration = .seconds(10)) async throws -> TestHTTP.Reply {
        try await TestHTTP.send(baseURL + path, timeout: timeout).complete()
    }

    /// SIGTERM, then waits for the exit (at most `timeout`); returns the exit status, nil if it had to be killed.
    func stop(timeout: Duration = .seconds(60)) async throws -> Int32? {
        try await child.stop(timeout: timeout)
    }

    /// The value of one Prometheus sample line (`name{labels}`), if present.
    static func sample(_ exposition: String, _ series: String) -> Double? {
        exposition.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.dropFirst(series.count + 1)) }
    }
}
