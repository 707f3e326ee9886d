import HTTPTypes
import LogPipeline
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Malformed HTTP — a request line or header NIO cannot parse — answered with Anthropic's error
/// envelope and `connection: close`, where Hummingbird would write an empty 400.
///
/// It sits after the HTTP codec, so it sees request and response parts. A parse error while a
/// request's body is being read is passed on: the handler reading that body answers it (a 400 for
/// that request, recorded once). Between requests it answers here; while a response is still being
/// written it waits for that response's end, then answers and closes.
final class HTTPParseErrorHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var requestOpen = false
    private var responsesPending = 0
    private var answerAfterResponse = false
    private var answered = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            requestOpen = true
            responsesPending += 1
        case .end:
            requestOpen = false
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        var isEnd = false
        if case .end = unwrapOutboundIn(data) { isEnd = true }
        context.write(data, promise: promise)
        guard isEnd else { return }
        responsesPending = max(0, responsesPending - 1)
        if answerAfterResponse, responsesPending == 0 { answer(context) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard error is HTTPParserError, !requestOpen else {
            context.fireErrorCaught(error)
            return
        }
        if responsesPending > 0 {
            answerAfterResponse = true
        } else {
            answer(context)
        }
    }

    private func answer(_ context: ChannelHandlerContext) {
        guard !answered else { return }
        answered = true
        // vdm's own fixed text: nothing configured can be in it.
        let body = AnthropicErrorResponse.body(.invalidRequest("malformed HTTP request (request line or headers)"), redactor: Redactor())
        var head = HTTPResponse(status: .badRequest)
        head.headerFields = [.contentType: "application/json", .contentLength: String(body.count), .connection: "close"]
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(ByteBuffer(bytes: body))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}
