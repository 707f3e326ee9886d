/// Waiting on a condition, never on a guessed sleep: every test wait polls, with a deadline.
enum Deadline {
    /// Polls `condition` until it holds; fails, naming `what`, once `timeout` has passed.
    static func waitUntil(_ what: String, timeout: Duration = .seconds(60), poll: Duration = .milliseconds(100),
                          _ condition: () async throws -> Bool) async throws {
        _ = try await value(what, timeout: timeout, poll: poll) { try await condition() ? true : nil }
    }

    /// Polls `probe` until it returns a value and returns it; fails, naming `what`, once `timeout` has passed.
    static func value<T>(_ what: String, timeout: Duration = .seconds(60), poll: Duration = .milliseconds(100),
                         _ probe: () async throws -> T?) async throws -> T {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let value = try await probe() { return value }
            guard ContinuousClock.now < deadline else { throw TestFailure("timed out after \(timeout): \(what)") }
            try await Task.sleep(for: poll)
        }
    }

    /// Whether `condition` came to hold within `timeout` (checked once more at the deadline), for a test
    /// that asserts it with a message of its own or reads the state it reached either way.
    static func holds(within timeout: Duration = .seconds(10), poll: Duration = .milliseconds(20),
                      _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: poll)
        }
        return try await condition()
    }
}
