package import Foundation
import NIOCore
import NIOPosix

/// A child process for benchmarks (mock upstream, proxy), stopped with SIGTERM.
package final class ChildProcess: Sendable {
    package let process: Process

    private init(process: Process) { self.process = process }

    package static func start(_ executable: String, _ arguments: [String], env extra: [String: String], output: String) throws -> ChildProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.merge(extra) { _, new in new }
        process.environment = env
        let handle = try openForWriting(output)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return ChildProcess(process: process)
    }

    /// Waits for the exit and returns its status, off the concurrency pool (`Process.exited()`).
    package func exited() async -> Int32 { await process.exited() }

    package func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }
}

package extension Process {
    /// Waits for the exit and returns its status. The wait happens on a thread of its own, never on the
    /// Swift concurrency pool: that pool has one thread per core, and a blocked one starves every
    /// in-process server a test runs meanwhile (a loaded machine saw 504s from a stalled mock).
    func exited() async -> Int32 {
        await withCheckedContinuation { continuation in
            Thread { [self] in
                waitUntilExit()
                continuation.resume(returning: terminationStatus)
            }.start()
        }
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
