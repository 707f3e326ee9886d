import Foundation
import RealComponent
import Testing
import VDMBench

extension Process {
    /// SIGTERM, then SIGKILL if it is still running after `grace`: no test waits on a stuck child
    /// without bound. Returns the exit status, nil when it had to be killed.
    @discardableResult
    func stop(grace: Duration) async -> Int32? {
        if isRunning { terminate() }
        let deadline = ContinuousClock.now + grace
        while isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        guard !isRunning else {
            kill(processIdentifier, SIGKILL)
            return nil
        }
        return terminationStatus
    }

    /// Starts a real component that is stopped by SIGTERM. Foundation's Process hands the child the
    /// spawning thread's signal mask, and the test process's threads block SIGTERM (rsyslogd's
    /// /proc/PID/status showed SIGTERM in SigBlk), so a child that does not unblock it itself, like
    /// rsyslogd, never sees the signal. The child is therefore exec'd (same pid) through python3 with
    /// an empty mask.
    static func component(_ executable: String, _ arguments: [String], output: String,
                          sourceLocation: SourceLocation = #_sourceLocation) throws -> Process {
        let python = try RealComponent.program("python3", package: "python3", sourceLocation: sourceLocation)
        let reset = "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, set()); os.execv(sys.argv[1], sys.argv[1:])"
        return try ChildProcess.start(python, ["-c", reset, executable] + arguments, env: [:], output: output).process
    }
}
