import Hummingbird
import LogPipeline
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
enum ClientConnectionWatch {
    /// How long a departed client can go unnoticed.
    static let interval: Duration = .milliseconds(100)

    static func run(on channel: any Channel, _ operation: @escaping @Sendable () async -> Response) async -> Response {
        await withTaskGroup(of: Response?.self) { group in
            group.addTask { await operation() }
            group.addTask {
                while channel.isActive {
                    do { try await Task.sleep(for: interval) } catch { return nil }
                }
                return nil
            }
            var response: Response?
            // Whichever finishes first ends the other: the work finished, or the client left (then
            // the cancelled work still returns its response, after recording the disconnect).
            while let next = await group.next() {
                if let next { response = next }
                group.cancelAll()
            }
            // vdm's own fixed text: nothing configured can be in it.
            return response ?? AnthropicErrorResponse.make(.clientDisconnected, redactor: Redactor())
        }
    }
}
