import HTTPTypes
import Hummingbird
import LogPipeline

/// Anthropic's error envelope: `{"type":"error","error":{"type":…,"message":…},"request_id":…}`.
/// The message is redacted with the proxy's redactor: it may quote an upstream, a model name or a
/// header, and a client must not learn a configured key from it.
enum AnthropicErrorResponse {
    static func body(_ error: ProxyError, redactor: Redactor) -> [UInt8] {
        var out: [UInt8] = []
        out.append(contentsOf: #"{"type":"error","error":{"type":"#.utf8)
        JSONBytes.appendString(error.anthropicType, to: &out)
        out.append(contentsOf: #","message":"#.utf8)
        JSONBytes.appendString(redactor.redact(error.message), to: &out)
        out.append(contentsOf: #"},"request_id":"#.utf8)
        if let id = CorrelationContext.current?.id {
            JSONBytes.appendString(id, to: &out)
        } else {
            out.append(contentsOf: "null".utf8)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    static func make(_ error: ProxyError, redactor: Redactor) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let retryAfter = error.retryAfter { headers[.retryAfter] = retryAfter }
        // 499 is nginx's "client closed request"; nobody reads it, but it must be a valid status.
        return Response(
            status: HTTPResponse.Status(code: error.status),
            headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body(error, redactor: redactor))))
    }
}
