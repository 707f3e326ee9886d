/// Case-insensitive glob with `*` and `?` (the `provider` and `model` filters of the running totals,
/// shared by the endpoint and `vdm replay`).
package struct WildcardPattern: Sendable, Equatable, CustomStringConvertible {
    public let description: String
    private let pattern: [Character]

    public init(_ text: String) {
        description = text
        pattern = Array(text.lowercased())
    }

    public func matches(_ candidate: String) -> Bool {
        let s = Array(candidate.lowercased())
        var p = 0, i = 0
        var star = -1, mark = 0
        while i < s.count {
            if p < pattern.count, pattern[p] == "?" || pattern[p] == s[i] {
                p += 1; i += 1
            } else if p < pattern.count, pattern[p] == "*" {
                star = p; mark = i; p += 1
            } else if star >= 0 {
                p = star + 1; mark += 1; i = mark
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }
}

/// The filters of one running-totals view.
public struct TotalsFilter: Sendable, Equatable {
    package var provider: WildcardPattern?
    package var model: WildcardPattern?

    public init(provider: String? = nil, model: String? = nil) {
        self.provider = provider.flatMap { $0.isEmpty ? nil : WildcardPattern($0) }
        self.model = model.flatMap { $0.isEmpty ? nil : WildcardPattern($0) }
    }

    public func admits(provider name: String) -> Bool { provider?.matches(name) ?? true }
    public func admits(model name: String) -> Bool { model?.matches(name) ?? true }
}
