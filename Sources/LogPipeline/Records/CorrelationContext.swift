public import Logging

/// The request a piece of work belongs to, bound task-locally for the whole request (handler,
/// upstream call and streamed body), so every record emitted while serving it carries the id —
/// ours, Hummingbird's and AsyncHTTPClient's alike. Never a global that concurrent requests share.
public struct CorrelationContext: Sendable, Hashable {
    /// The full correlation id (a UUID, or the client's sane `X-Request-ID`).
    public let id: String

    public init(id: String) { self.id = id }

    /// The 8-character prefix shown on console lines and used for lookups.
    public var prefix: Substring { id.prefix(8) }

    @TaskLocal public static var current: CorrelationContext?

    /// Metadata key under which the correlation id travels (the ECS field name).
    public static let metadataKey = "http.request.id"

    /// Adds `http.request.id` to every log call made while a request is bound.
    public static let metadataProvider = Logger.MetadataProvider {
        guard let context = CorrelationContext.current else { return [:] }
        return [metadataKey: .string(context.id)]
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
