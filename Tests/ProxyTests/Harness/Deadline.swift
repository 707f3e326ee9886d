/// Waiting on a condition, never on a guessed sleep: polls `condition` until it holds and fails, naming
/// `what`, once `timeout` has passed.
enum Deadline {
    static func waitUntil(_ what: String, timeout: Duration = .seconds(60), poll: Duration = .milliseconds(100),
                          _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while try await !condition() {
            guard ContinuousClock.now < deadline else { throw TestFailure("timed out after \(timeout): \(what)") }
            try await Task.sleep(for: poll)
        }
    }
}
