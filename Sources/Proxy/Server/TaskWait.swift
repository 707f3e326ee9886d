import Synchronization

/// A bounded wait on a task that may never end: `await task.value` alone would wait for ever, and a
/// task group cannot be left before its children end, even cancelled ones that ignore cancellation.
enum TaskWait {
    /// True when `task` ended within `limit`; false when the limit came first (the task keeps running).
    static func finished(_ task: Task<Void, Never>, within limit: Duration) async -> Bool {
        let first = FirstResult()
        return await withCheckedContinuation { continuation in
            first.arm(continuation)
            Task { await task.value; first.resume(true) }
            Task { try? await Task.sleep(for: limit); first.resume(false) }
        }
    }

    /// Resumes the continuation once, with whichever result comes first.
    private final class FirstResult: Sendable {
        private let continuation = Mutex<CheckedContinuation<Bool, Never>?>(nil)
        func arm(_ c: CheckedContinuation<Bool, Never>) { continuation.withLock { $0 = c } }
        func resume(_ value: Bool) { continuation.withLock { $0.take() }?.resume(returning: value) }
    }
}
