import Foundation

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
}
