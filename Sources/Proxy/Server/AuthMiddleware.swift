import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import LogPipeline

/// `PROXY_API_KEY`: clients present it as `x-api-key` or `Authorization: Bearer`; the metrics views
/// also accept `?key=` because a browser's EventSource cannot set headers. Compared in constant time.
struct AuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let expected: KeyDigest
    let logger: Logger
    let allowQueryKey: Bool
    let redactor: Redactor

    init(key: String, logger: Logger, redactor: Redactor, allowQueryKey: Bool = false) {
        self.expected = KeyDigest(key)
        self.logger = logger
        self.allowQueryKey = allowQueryKey
        self.redactor = redactor
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let presented = Self.presentedKey(request, allowQuery: allowQueryKey, proxyKey: expected), matches(presented) {
            return try await next(request, context)
        }
        logger.warning("Invalid or missing API key on \(request.method) \(request.uri.path)")
        return AnthropicErrorResponse.make(.unauthenticated("Invalid API key. Provide the proxy's key as x-api-key or Authorization: Bearer."), redactor: redactor)
    }

    /// Whether the proxy's key was presented in any of the accepted places.
    func matches(_ presented: String) -> Bool { expected.matches(presented) }

    static func bearerToken(_ request: Request) -> String? {
        guard let auth = request.headers[.authorization], auth.lowercased().hasPrefix("bearer ") else { return nil }
        let token = String(auth.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    /// The key the client presents for the proxy: `x-api-key`, else `Authorization: Bearer`; when
    /// both are sent, the one that is the proxy's key (`proxyKey`), so the other can be its provider key.
    static func presentedKey(_ request: Request, allowQuery: Bool, proxyKey: KeyDigest? = nil) -> String? {
        let apiKey = request.headers[HTTPField.Name("x-api-key")!].flatMap { $0.isEmpty ? nil : $0 }
        let bearer = bearerToken(request)
        if let proxyKey, let apiKey, let bearer {
            // Both headers (a passthrough client presents its provider key too): either may hold ours.
            return proxyKey.matches(apiKey) ? apiKey : bearer
        }
        if let key = apiKey ?? bearer { return key }
        if allowQuery, let key = request.uri.queryParameters["key"], !key.isEmpty { return String(key) }
        return nil
    }
}

/// SHA-256 of a key, compared in constant time: hash both sides, then compare every byte, so the
/// time does not depend on where they differ.
struct KeyDigest: Sendable {
    private let digest: [UInt8]

    init(_ key: String) { digest = Array(SHA256.hash(data: Array(key.utf8))) }

    func matches(_ presented: String) -> Bool {
        let other = Array(SHA256.hash(data: Array(presented.utf8)))
        var diff: UInt8 = 0
        for (a, b) in zip(other, digest) { diff |= a ^ b }
        return diff == 0
    }
}

/// The client's own key, for `!PASSTHRU` providers (docs/configuration.md, "Passthrough and
/// PROXY_API_KEY"). Without `PROXY_API_KEY`: `x-api-key`, else `Authorization: Bearer`. With it, the
/// client sends the proxy's key in one of the two and its provider key in the other; a value equal
/// to the proxy's key is never returned, so the proxy's key never goes to a provider.
enum ClientKey {
    static func from(_ request: Request, proxyKey: KeyDigest?) -> String? {
        let apiKey = request.headers[HTTPField.Name("x-api-key")!].flatMap { $0.isEmpty ? nil : $0 }
        let bearer = AuthMiddleware<BasicRequestContext>.bearerToken(request)
        guard let proxyKey else { return apiKey ?? bearer }
        return [apiKey, bearer].compactMap { $0 }.first { !proxyKey.matches($0) }
    }

    /// What the client is told when `from` found no key to forward.
    static func missing(provider: String, proxyKeySet: Bool) -> ProxyError {
        if proxyKeySet {
            return .unauthenticated("Provider '\(provider)' forwards the client's own API key: send the proxy's key in one of x-api-key / Authorization: Bearer and the provider key in the other")
        }
        return .unauthenticated("Provider '\(provider)' forwards the client's API key, but the request carried none (x-api-key or Authorization: Bearer)")
    }
}
