import Foundation
import HTTPTypes
import Hummingbird
import LogPipeline

/// Binds the request's correlation id task-locally for the handler and the upstream call, and returns
/// it as `x-request-id`. Streamed bodies, which Hummingbird writes after the handler has returned,
/// are made with `ResponseBody.correlated` and bind it again there. (Wrapping every body here instead
/// turned one-buffer responses into closures, which Hummingbird writes head and body apart: one more
/// `write(2)` per request.) The id is the client's `X-Request-ID` when it is a sane token that
/// holds no secret (by shape or configured value: the id is shown raw by every view), else a new UUID.
struct CorrelationMiddleware<Context: RequestContext>: RouterMiddleware {
    static var headerName: HTTPField.Name { HTTPField.Name("x-request-id")! }
    let redactor: Redactor

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let id: String
        if let supplied = request.headers[Self.headerName], CorrelationContext.isSaneID(supplied), !redactor.mightContainSecret(supplied) {
            id = supplied
        } else {
            id = RequestIDs.next()
        }
        let correlation = CorrelationContext(id: id)
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
