/// A failure of the conversion layer, with a message that can be shown to the client as is.
package struct ConversionError: Error, Sendable, Equatable, CustomStringConvertible {
    package enum Kind: String, Sendable, Equatable {
        /// The client's request has an invalid shape: answer 400 `invalid_request_error`.
        case invalidRequest = "invalid_request"
        /// The upstream answered 200 with a body that is not a usable completion (no choices, not JSON …).
        case upstreamMalformed = "upstream_malformed"
        /// The upstream answered 200 (or mid-stream) with an error object; `message` is its message.
        case upstreamError = "upstream_error"
        /// A streamed upstream payload could not be understood (e.g. malformed JSON in a `data:` line).
        case streamError = "stream_error"
    }

    package var kind: Kind
    package var message: String
    /// For `.upstreamError`: the upstream error's `type` (or `code`) when it sent one.
    var upstreamType: String?

    package init(_ kind: Kind, _ message: String, upstreamType: String? = nil) {
        self.kind = kind
        self.message = message
        self.upstreamType = upstreamType
    }

    package static func invalidRequest(_ message: String) -> ConversionError {
        ConversionError(.invalidRequest, message)
    }

    /// A request body that is not valid JSON: a 400 naming the byte offset and the reason.
    package static func invalidJSON(_ error: JSONParseError) -> ConversionError {
        ConversionError(.invalidRequest, "request body is not valid JSON: \(error.reason) at byte \(error.offset)")
    }

    /// The Anthropic error `type` to report to the client.
    package var anthropicErrorType: String {
        switch kind {
        case .invalidRequest: return "invalid_request_error"
        case .upstreamMalformed, .upstreamError, .streamError: return "api_error"
        }
    }

    /// The HTTP status to answer with when the response has not started yet: 400 for client mistakes,
    /// 502 (bad gateway) for anything the upstream got wrong.
    package var httpStatus: Int {
        kind == .invalidRequest ? 400 : 502
    }

    /// The Anthropic error envelope `{"type":"error","error":{"type","message"}}` for an HTTP error response
    /// (the same payload as the streaming `event: error`).
    package var anthropicErrorBody: JSONValue {
        ["type": "error", "error": ["type": .string(anthropicErrorType), "message": .string(message)]]
    }

    package var description: String { "\(kind.rawValue): \(message)" }
}
