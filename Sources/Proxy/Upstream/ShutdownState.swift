import Synchronization

/// Whether the shutdown cut has happened, and after which grace period (for the message).
final class ShutdownState: Sendable {
    private let state = Mutex<Duration?>(nil)

    func begin(grace: Duration) { state.withLock { $0 = grace } }
    var grace: Duration? { state.withLock { $0 } }
}
