import NIOCore

/// Closes the connection when the client closes its side (FIN), as nginx does by default.
///
/// Hummingbird enables remote half-closure, so after a client's FIN the channel stays active and a
/// request waiting on its upstream would never learn that nobody is left to read the answer
/// (`ClientConnectionWatch`). An HTTP/1.1 client that half-closes cannot be told apart from one that
/// left, and a proxy that keeps paying the upstream for nobody is the worse mistake.
final class ClientEOFHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        context.fireUserInboundEventTriggered(event)
        if let event = event as? ChannelEvent, event == .inputClosed {
            context.close(promise: nil)
        }
    }
}
