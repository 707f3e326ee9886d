import Hummingbird
import NIOCore

/// `GET /` and `HEAD /`: a client checking that `ANTHROPIC_BASE_URL` answers gets a 200, not an
/// error body and not a log line.
enum RootHandler {
    static let body = #"{"service":"vdm","messages":"/v1/messages","models":"/v1/models","health":"/health"}"#

    static func handle() -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}
