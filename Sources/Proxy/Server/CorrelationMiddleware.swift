import Foundation
import HTTPTypes
import Hummingbird
import LogPipeline

/// Binds the request's correlation id task-locally for the handler and the upstream call, and returns
/// it as `x-request-id`. Streamed bodies, which Hummingbird writes after the handler has returned,
/// are made with `ResponseBody.correlated` and bind it again there. (Wrapping every body here instead
/// turned one-buffer responses into closures, which Hummingbird writes head and body apart: one more
/// `write(2)` per request.)
///
/// The id is always vdm's own (`RequestIDs`): a client's `X-Request-ID` is not unique (clients reuse
/// one, and a hostile one could merge its requests into one record). A sane client id is kept
/// beside it, redacted (by shape and configured value), as `vdm.client_request_id`; the response's
/// `x-request-id` is vdm's id, the one to search the logs and the journal for. The request's W3C
/// trace context (`TraceHeaders`) is bound with it: `trace.id`/`span.id` on its records, and the
/// `traceparent` of the upstream call.
struct CorrelationMiddleware<Context: RequestContext>: RouterMiddleware {
    static var headerName: HTTPField.Name { HTTPField.Name("x-request-id")! }
    static var traceparent: HTTPField.Name { HTTPField.Name("traceparent")! }
    static var tracestate: HTTPField.Name { HTTPField.Name("tracestate")! }
    let redactor: Redactor

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let id = RequestIDs.next()
        let clientID = request.headers[Self.headerName].flatMap { supplied in
            CorrelationContext.isSaneID(supplied) ? redactor.redact(supplied) : nil
        }
        // W3C trace context: the client's trace when it sent a valid one, a new one otherwise.
        let trace = TraceHeaders.context(traceparent: request.headers[values: Self.traceparent],
                                         tracestate: request.headers[values: Self.tracestate])
        let correlation = CorrelationContext(id: id, clientID: clientID, trace: trace)
        var response = try await CorrelationContext.$current.withValue(correlation) {
            try await next(request, context)
        }
        response.headers[Self.headerName] = id
        return response
    }
}

extension ResponseBody {
    /// A streamed body that runs with the correlation id of the request that made it.
    static func correlated(_ write: @Sendable @escaping (inout any ResponseBodyWriter) async throws -> Void) -> ResponseBody {
        let correlation = CorrelationContext.current
        return ResponseBody { writer in
            try await CorrelationContext.$current.withValue(correlation) {
                try await write(&writer)
            }
        }
    }
}
