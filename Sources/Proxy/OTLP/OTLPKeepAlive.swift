import Synchronization

/// Holds swift-otel's objects for the rest of the process, so that their deinit never runs.
///
/// swift-otel 1.6.0's OTLP/HTTP exporter calls `HTTPClient.syncShutdown()` in its deinit, and
/// AsyncHTTPClient traps there ("BUG DETECTED: syncShutdown() must not be called when on an EventLoop")
/// when that runs on a NIO event loop thread — which is where `vdm serve` runs Swift concurrency
/// (`EventLoopSetup`), so the last release of an exporter would usually happen on one: exit status 132
/// at shutdown. Every object that owns an exporter (each backend's service group and the log handler) is
/// put here the moment swift-otel returns it, so its reference count never reaches zero, whatever thread
/// drops the other references. At shutdown the exporters' HTTP clients are closed first with their async
/// `shutdown()` (`OTLPExport.shutdown`), so what stays is memory: one set per `vdm serve` process.
///
/// A service group lets go of its services when its `run()` returns, so the metrics exporter (which only
/// its group holds) is released then anyway: that happens on `OTLPExecutor`'s thread, not an event loop.
enum OTLPKeepAlive {
    private static let held = Mutex<[any Sendable]>([])

    static func hold(_ object: any Sendable) { held.withLock { $0.append(object) } }
}
