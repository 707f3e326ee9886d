import Foundation
import VDMProxy
import VDMBench

/// The one way a test runs the built `vdm` as a child: `start` any subcommand (on `ChildProcess`, the
/// `VDMBench` runner: bounded waits, SIGKILL past the deadline), `run` one to completion with stdout and
/// stderr captured (`ExternalTool.run`, bounded the same way), or an instance (`init(serving:)`) that is
/// `vdm serve` on a free port, waited for until its `/health` answers, with the few HTTP calls the
/// process tests make to it.
final class VDMProcess: Sendable {
    /// The `vdm` product `swift build` made (the tests are built with it).
    static var binary: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/vdm").path
    }

    /// Fails (not skips) when the product is not built: every process test needs it.
    static func requireBinary() throws {
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw TestFailure("build the vdm product first (swift build): no \(binary)") }
    }

    /// `vdm ARGUMENTS` as a child, stdout and stderr to the file at `output`; the caller waits for it.
    static func start(_ arguments: [String], env: [String: String] = [:], output: String) throws -> ChildProcess {
        try requireBinary()
        return try ChildProcess.start(binary, arguments, env: env, output: output)
    }

    /// `vdm ARGUMENTS` run to completion, its stdout and stderr captured (`ExternalTool.run`, bounded).
    static func run(_ arguments: [String], input: [UInt8] = [], environment: [String: String]? = nil,
                    timeout: Duration = ExternalTool.defaultTimeout) async throws -> ExternalTool.Output {
        try requireBinary()
        return try await ExternalTool.run(binary, arguments, input: input, environment: environment, timeout: timeout)
    }

    let child: ChildProcess
    let port: Int
    var baseURL: String { "http://127.0.0.1:\(port)" }
    var pid: Int32 { child.pid }

    /// Starts `vdm serve --port P` plus `arguments` (P free), stdout and stderr to `output`, and waits for /health.
    init(serving arguments: [String], env extra: [String: String], output: FileHandle) async throws {
        try Self.requireBinary()
        port = try await ServerPorts.free()
        child = try ChildProcess.start(Self.binary, ["serve", "--port", String(port)] + arguments, env: extra, output: output)
        try await ProxyBench.waitUntilUp(baseURL + "/health")
    }

    /// The same, stdout and stderr to the file at `output`.
    convenience init(serving arguments: [String], env extra: [String: String], output: String) async throws {
        try await self.init(serving: arguments, env: extra, output: try openForWriting(output))
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
