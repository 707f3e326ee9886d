import Dispatch

/// Where swift-otel's services run: one serial dispatch queue, never a NIO event loop.
///
/// `vdm serve` runs Swift concurrency on NIO's event loops (`EventLoopSetup`). swift-otel's service
/// groups let go of their services when their `run()` returns, and the metrics exporter goes with them:
/// its deinit calls `HTTPClient.syncShutdown()`, which traps on an event loop thread (exit 132). With
/// this executor as the task's preference, the groups (default actors), their child tasks and so that
/// last release run on the queue's thread, where `syncShutdown()` is allowed (the client is shut down
/// by then, so it returns at once). The exporters that a log handler keeps are in `OTLPKeepAlive`.
final class OTLPExecutor: TaskExecutor {
    static let shared = OTLPExecutor()

    private let queue = DispatchQueue(label: "vdm-otlp")

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
