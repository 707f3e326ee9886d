/// A failure of one request: what the client is told (status and Anthropic error type) and what the
/// metrics record (`errorType`, the documented taxonomy in docs/errors.md).
package struct ProxyError: Error, Sendable, CustomStringConvertible {
    /// The metrics taxonomy (`error.type` on the completed record).
    package enum Kind: String, Sendable, CaseIterable {
        case invalidRequest = "invalid_request"
        case requestTooLarge = "request_too_large"
        case unknownProvider = "unknown_provider"
        case authenticationError = "authentication_error"
        case upstreamTimeout = "upstream_timeout"
        case upstreamConnectError = "upstream_connect_error"
        case upstreamRateLimited = "upstream_rate_limited"
        case upstreamAuthError = "upstream_auth_error"
        case upstreamOverloaded = "upstream_overloaded"
        case upstream4xx = "upstream_4xx"
        case upstream5xx = "upstream_5xx"
        case upstreamBadResponse = "upstream_bad_response"
        case upstreamBadUsage = "upstream_bad_usage"
        case streamError = "stream_error"
        case conversionError = "conversion_error"
        case clientDisconnected = "client_disconnected"
        case serverShutdown = "server_shutdown"
        case internalError = "internal_error"
    }

    package var kind: Kind
    /// HTTP status for the client.
    package var status: Int
    /// Anthropic `error.type` for the client.
    package var anthropicType: String
    package var message: String
    /// The upstream's `retry-after` (429/529), passed on to the client when it is a sane value.
    package var retryAfter: String?

    package var description: String { "\(kind.rawValue): \(message)" }

    package init(_ kind: Kind, status: Int, anthropicType: String, _ message: String) {
        self.kind = kind
        self.status = status
        self.anthropicType = anthropicType
        self.message = message
    }

    package static func invalidRequest(_ message: String) -> ProxyError {
        ProxyError(.invalidRequest, status: 400, anthropicType: "invalid_request_error", message)
    }

    static func tooLarge(limit: Int) -> ProxyError {
        ProxyError(.requestTooLarge, status: 413, anthropicType: "request_too_large", "Request body exceeds the limit of \(limit) bytes")
    }

    package static func unknownProvider(_ name: String, model: String) -> ProxyError {
        ProxyError(.unknownProvider, status: 404, anthropicType: "not_found_error",
                   "Unknown provider '\(name)' in model '\(model)'; configure \(name.uppercased())_API_KEY or use a configured provider prefix")
    }

    static func unauthenticated(_ message: String) -> ProxyError {
        ProxyError(.authenticationError, status: 401, anthropicType: "authentication_error", message)
    }

    static func upstreamTimeout(provider: String) -> ProxyError {
        ProxyError(.upstreamTimeout, status: 504, anthropicType: "timeout_error",
                   "Upstream '\(provider)' timed out; consider increasing REQUEST_TIMEOUT / STREAMING_READ_TIMEOUT_SECONDS")
    }

    static func upstreamConnect(provider: String, _ detail: String) -> ProxyError {
        ProxyError(.upstreamConnectError, status: 502, anthropicType: "api_error", "Could not reach upstream '\(provider)': \(detail)")
    }

    static func streamFailed(_ message: String) -> ProxyError {
        ProxyError(.streamError, status: 502, anthropicType: "api_error", message)
    }

    static func conversion(_ message: String) -> ProxyError {
        ProxyError(.conversionError, status: 502, anthropicType: "api_error", message)
    }

    static func badUpstreamResponse(provider: String, _ detail: String) -> ProxyError {
        ProxyError(.upstreamBadResponse, status: 502, anthropicType: "api_error", "Upstream '\(provider)' sent an unusable response: \(detail)")
    }

    /// The upstream's usage is outside `RecordBounds` (or not integers): nothing of it is summed.
    static func badUsage(provider: String, _ detail: String) -> ProxyError {
        ProxyError(.upstreamBadUsage, status: 502, anthropicType: "api_error", "Upstream '\(provider)' reported unusable token usage: \(detail)")
    }

    static func internalError(_ message: String) -> ProxyError {
        ProxyError(.internalError, status: 500, anthropicType: "api_error", message)
    }

    static let clientDisconnected = ProxyError(.clientDisconnected, status: 499, anthropicType: "api_error", "Client disconnected")

    /// vdm cut the request at the end of the shutdown grace period (`VDM_SHUTDOWN_GRACE_SECONDS`).
    static func serverShutdown(grace: Duration) -> ProxyError {
        ProxyError(.serverShutdown, status: 503, anthropicType: "api_error",
                   "vdm is shutting down: the request was still running when the \(grace.components.seconds) s shutdown grace period ran out")
    }

    /// A body that breaks off before its end (bad chunked encoding, a lying `Content-Length`): the
    /// client's HTTP is broken, the client did not merely go away.
    static func malformedRequestBody(_ detail: String) -> ProxyError {
        .invalidRequest("request body: malformed HTTP body (\(detail))")
    }

    /// A Hummingbird-level failure (no route, wrong method, …) in the Anthropic envelope.
    static func http(status: Int, _ message: String) -> ProxyError {
        let type: String
        switch status {
        case 401: type = "authentication_error"
        case 403: type = "permission_error"
        case 404, 405: type = "not_found_error"
        case 413: type = "request_too_large"
        case 429: type = "rate_limit_error"
        case 500...: type = "api_error"
        default: type = "invalid_request_error"
        }
        return ProxyError(status >= 500 ? .internalError : .invalidRequest, status: status, anthropicType: type, message)
    }

    /// Maps an upstream HTTP error status to what the client sees and what the metrics record.
    /// `passthroughKey`: the client's own key went upstream, so an upstream 401 is the client's problem.
    static func upstreamStatus(_ status: Int, provider: String, upstreamMessage: String, passthroughKey: Bool, retryAfter: String? = nil) -> ProxyError {
        var error = mapStatus(status, provider: provider, upstreamMessage: upstreamMessage, passthroughKey: passthroughKey)
        if error.kind == .upstreamRateLimited || error.kind == .upstreamOverloaded {
            error.retryAfter = retryAfter.flatMap(RetryAfter.sanitized)
        }
        return error
    }

    private static func mapStatus(_ status: Int, provider: String, upstreamMessage: String, passthroughKey: Bool) -> ProxyError {
        let detail = upstreamMessage.isEmpty ? "HTTP \(status)" : upstreamMessage
        switch status {
        case 429:
            return ProxyError(.upstreamRateLimited, status: 429, anthropicType: "rate_limit_error", "Upstream '\(provider)' rate limited the request: \(detail)")
        case 401, 403:
            if passthroughKey {
                return ProxyError(.upstreamAuthError, status: status, anthropicType: status == 401 ? "authentication_error" : "permission_error",
                                  "Upstream '\(provider)' rejected the client's credentials: \(detail)")
            }
            return ProxyError(.upstreamAuthError, status: 502, anthropicType: "api_error",
                              "Upstream '\(provider)' rejected the proxy's credentials (check \(provider.uppercased())_API_KEY): \(detail)")
        case 400, 422:
            return ProxyError(.upstream4xx, status: 400, anthropicType: "invalid_request_error", "Upstream '\(provider)' rejected the request: \(detail)")
        case 404:
            return ProxyError(.upstream4xx, status: 404, anthropicType: "not_found_error", "Upstream '\(provider)': \(detail)")
        case 413:
            return ProxyError(.upstream4xx, status: 413, anthropicType: "request_too_large", "Upstream '\(provider)': \(detail)")
        case 503, 529:
            return ProxyError(.upstreamOverloaded, status: 529, anthropicType: "overloaded_error", "Upstream '\(provider)' is overloaded: \(detail)")
        case 500...599:
            return ProxyError(.upstream5xx, status: 500, anthropicType: "api_error", "Upstream '\(provider)' failed: \(detail)")
        default:
            return ProxyError(.upstream4xx, status: 400, anthropicType: "invalid_request_error", "Upstream '\(provider)' answered \(status): \(detail)")
        }
    }
}
