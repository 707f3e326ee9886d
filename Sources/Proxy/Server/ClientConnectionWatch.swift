import Hummingbird
import NIOCore

/// Cancels a request's work when the client's connection closes before the response is ready.
///
/// Hummingbird notices a vanished client only when it writes to it, which a non-streaming request
/// does once, at the very end: without this watch, a request whose client left stays in flight until
/// the upstream answers (and is logged a success) or times out. Cancelling the work cancels the
/// upstream call, and the request ends as `client_disconnected`.
///
/// The connection is polled (`isActive`) rather than watched through `closeFuture`, whose callbacks
/// would pile up, one per request, on a long-lived keep-alive connection. Hummingbird allows remote
/// half-closure, so a client's FIN alone would leave the channel active: `ClientEOFHandler` closes it.
///
/// The poll is a task scheduled on the connection's own event loop, cancelled when the work ends.
/// It was a `Task.sleep` loop in a second child task: Swift's sleep goes through Dispatch timers
/// even with NIO as the global executor, and arming, cancelling and firing one per request was
/// ~13% of the proxy's CPU per request (`scripts/profile-proxy`, docs/BENCHMARKS.md).
enum ClientConnectionWatch {
    /// How long a departed client can go unnoticed.
    static let interval: TimeAmount = .milliseconds(100)

    static func run(on channel: any Channel, _ operation: @escaping @Sendable () async -> Response) async -> Response {
        // Unstructured so that the event loop's poll can cancel it; it inherits the task-locals
        // (the correlation context) and priority, and the handler's own cancellation is forwarded.
        let work = Task { await operation() }
        let poll = channel.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { poll in
            if !channel.isActive {
                work.cancel()
                poll.cancel()
            }
        }
        // The cancelled work still returns its response, after recording the disconnect.
        let response = await withTaskCancellationHandler { await work.value } onCancel: { work.cancel() }
        poll.cancel()
        return response
    }
}
