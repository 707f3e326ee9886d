import Foundation
import NIOCore
import NIOPosix

/// A child process for benchmarks (mock upstream, proxy), stopped with SIGTERM.
final class ChildProcess: Sendable {
    let process: Process

    private init(process: Process) { self.process = process }

    static func start(_ executable: String, _ arguments: [String], env extra: [String: String], output: String) throws -> ChildProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.merge(extra) { _, new in new }
        process.environment = env
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        let handle = FileHandle(forWritingAtPath: output)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return ChildProcess(process: process)
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }
}

/// Free loopback ports (bound, read, closed).
enum ServerPorts {
    static func free() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        try await channel.close()
        return port
    }
}
