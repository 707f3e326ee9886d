/// Glob with `*` and `?`: case-insensitive by default (the `provider` and `model` filters of the
/// running totals, shared by the endpoint and `vdm replay`); case-sensitive on request, as Ruby's
/// `Dir.glob` and Elasticsearch's index patterns match (the tests of logstash/ use that).
package struct WildcardPattern: Sendable, Equatable, CustomStringConvertible {
    package let description: String
    private let pattern: [Character]
    private let caseSensitive: Bool

    package init(_ text: String, caseSensitive: Bool = false) {
        description = text
        self.caseSensitive = caseSensitive
        pattern = Array(caseSensitive ? text : text.lowercased())
    }

    package func matches(_ candidate: String) -> Bool {
        let s = Array(caseSensitive ? candidate : candidate.lowercased())
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
