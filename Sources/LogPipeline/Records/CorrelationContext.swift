public import Logging

/// The request a piece of work belongs to, bound task-locally for the whole request (handler,
/// upstream call and streamed body), so every record emitted while serving it carries the id —
/// ours, Hummingbird's and AsyncHTTPClient's alike. Never a global that concurrent requests share.
public struct CorrelationContext: Sendable, Hashable {
    /// The full correlation id: vdm's own unique id (`RequestIDs`), never the client's.
    public let id: String
    /// The client's `X-Request-ID` when it was a sane token (already redacted): recorded beside the
    /// id, never used as it, so concurrent requests reusing one client id stay separate requests.
    public let clientID: String?
    /// The request's trace and vdm's span in it (W3C trace context), on every record made while bound.
    public let trace: TraceIDs?

    public init(id: String, clientID: String? = nil, trace: TraceIDs? = nil) {
        self.id = id
        self.clientID = clientID
        self.trace = trace
    }

    /// The 8-character prefix shown on console lines and used for lookups.
    public var prefix: Substring { id.prefix(8) }

    @TaskLocal public static var current: CorrelationContext?

    /// The context to bind for a record about request `id`: the bound one when it is that request's
    /// (so its trace stays on the record), else one with the id alone.
    public static func of(_ id: String) -> CorrelationContext {
        if let bound = current, bound.id == id { return bound }
        return CorrelationContext(id: id)
    }

    /// Metadata key under which the correlation id travels (the ECS field name).
    public static let metadataKey = "http.request.id"

    /// Metadata key under which a logger used outside the request's task (AsyncHTTPClient's
    /// request logger) carries the request's trace (`traceMetadata`), lifted out like the id.
    public static let traceMetadataKey = "trace.id"

    /// The metadata value for `traceMetadataKey`: the trace itself, not text (nothing to parse back).
    public static func traceMetadata(_ trace: TraceIDs) -> Logger.MetadataValue { .stringConvertible(TraceBox(trace: trace)) }

    /// Adds `http.request.id` to every log call made while a request is bound.
    public static let metadataProvider = Logger.MetadataProvider {
        guard let context = CorrelationContext.current else { return [:] }
        return [metadataKey: .string(context.id)]
    }

    /// Carries a trace through `Logger.Metadata`; its text is the trace id.
    struct TraceBox: CustomStringConvertible, Sendable {
        let trace: TraceIDs
        var description: String { trace.traceID }
    }

    /// Whether `candidate` (e.g. a client's `X-Request-ID`) is a sane id: 1–128 chars of `[A-Za-z0-9._-]`.
    public static func isSaneID(_ candidate: some StringProtocol) -> Bool {
        let utf8 = candidate.utf8
        guard !utf8.isEmpty, utf8.count <= 128 else { return false }
        return utf8.allSatisfy { c in
            (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
                || c == UInt8(ascii: ".") || c == UInt8(ascii: "_") || c == UInt8(ascii: "-")
        }
    }
}
