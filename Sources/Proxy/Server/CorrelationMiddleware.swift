import Foundation
import HTTPTypes
import Hummingbird
import LogPipeline

/// Binds the request's correlation id task-locally for the whole request — the handler, the upstream
/// call and the streamed response body, which Hummingbird writes after the handler has returned —
/// and returns it as `x-request-id`. The id is the client's `X-Request-ID` when it is a sane token,
/// else a new UUID.
struct CorrelationMiddleware<Context: RequestContext>: RouterMiddleware {
    static var headerName: HTTPField.Name { HTTPField.Name("x-request-id")! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let id: String
        if let supplied = request.headers[Self.headerName], CorrelationContext.isSaneID(supplied) {
            id = supplied
        } else {
            id = UUID().uuidString.lowercased()
        }
        let correlation = CorrelationContext(id: id)
        var response = try await CorrelationContext.$current.withValue(correlation) {
            try await next(request, context)
        }
        response.headers[Self.headerName] = id
        let body = response.body
        response.body = ResponseBody(contentLength: body.contentLength) { writer in
            try await CorrelationContext.$current.withValue(correlation) {
                try await body.write(writer)
            }
        }
        return response
    }
}
