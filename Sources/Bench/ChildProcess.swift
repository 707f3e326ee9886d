package import Foundation
import NIOCore
import NIOPosix

/// A child process (mock upstream, proxy, a `vdm` command, a tool), stdout and stderr to one file:
/// the one way the benchmarks and the tests start one.
package final class ChildProcess: Sendable {
    package let process: Process
    package var pid: Int32 { process.processIdentifier }

    private init(process: Process) { self.process = process }

    /// `output` is a path, opened (created or truncated) for both streams.
    package static func start(_ executable: String, _ arguments: [String], env extra: [String: String], inherit: Bool = true,
                              output: String) throws -> ChildProcess {
        try start(executable, arguments, env: extra, inherit: inherit, output: try openForWriting(output))
    }

    /// `inherit: false` starts it with `extra` alone instead of this process's environment plus `extra`.
    package static func start(_ executable: String, _ arguments: [String], env extra: [String: String], inherit: Bool = true,
                              output: FileHandle) throws -> ChildProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = inherit ? ProcessInfo.processInfo.environment : [:]
        env.merge(extra) { _, new in new }
        process.environment = env
        process.standardOutput = output
        process.standardError = output
        try process.run()
        return ChildProcess(process: process)
    }

    package func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    /// Waits at most `timeout` for the child to exit by itself: its exit status; past the deadline
    /// SIGKILL and nil (a test waits on a condition with a deadline, and no child outlives it).
    package func exitStatus(within timeout: Duration) async throws -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        guard process.isRunning else { return process.terminationStatus }
        kill(pid, SIGKILL)
        return nil
    }

    /// SIGTERM, then `exitStatus(within:)`.
    package func stop(timeout: Duration) async throws -> Int32? {
        if process.isRunning { kill(pid, SIGTERM) }
        return try await exitStatus(within: timeout)
    }
}

/// Opens (creating or truncating) a file for writing with open(2). Not `FileManager.createFile`: it
/// writes a new file and renames it over the path, which turned `/dev/null` into a regular file.
package func openForWriting(_ path: String) throws -> FileHandle {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else {
        throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path, NSLocalizedDescriptionKey: String(cString: strerror(errno))])
    }
    return FileHandle(fileDescriptor: fd, closeOnDealloc: true)
}

/// Free loopback ports (bound, read, closed).
package enum ServerPorts {
    package static func free() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        try await channel.close()
        return port
    }
}
