import HTTPTypes
import Hummingbird
import Logging
import LogPipeline

/// Hummingbird's own failures — no route, wrong method, an error a handler let escape — answered
/// with Anthropic's error envelope instead of an empty body, so every client of vdm can read every
/// error the same way. (Malformed HTTP itself is `HTTPParseErrorHandler`'s.)
struct ErrorEnvelopeMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger
    let redactor: Redactor

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as any HTTPResponseError {
            let status = Int(error.status.code)
            let message = status == 404
                ? "Not found: vdm serves POST /v1/messages, POST /v1/messages/count_tokens, GET /v1/models, GET /health and GET /metrics/*"
                : "HTTP \(status): \(error.status.reasonPhrase)"
            return AnthropicErrorResponse.make(.http(status: status, message), redactor: redactor)
        } catch {
            logger.error("Unhandled error on a \(request.method) request: \(error)")
            return AnthropicErrorResponse.make(.http(status: 500, "Internal error"), redactor: redactor)
        }
    }
}
