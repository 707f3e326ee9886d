import Foundation
import LogPipeline

/// `{P}_ALIAS_<NAME>=<target>`: model aliases per provider (docs/configuration.md, "Model aliases").
///
/// Rules, all settled at start-up so a request only looks one up:
/// - A name is compared normalised: lower case, `_` and `-` the same (`SONNET_4` matches `sonnet-4`).
/// - A requested model matches an alias when its normalised form CONTAINS the alias name. When several
///   aliases of the provider match, the longest name wins, then the first in byte order.
/// - A target is `model` (the alias's provider) or `provider:model`; a leading `!` makes it literal.
///   A target that is exactly another alias's name in its provider is followed, at most
///   `maxChainLength` aliases in all. A cycle, a longer chain, an unknown provider, a duplicate name
///   or an out-of-bounds value is a start-up error naming the variables.
package struct ModelAliases: Sendable, Equatable {
    /// At most 256 aliases over all providers.
    static let maxAliases = 256
    /// An alias name (the `<NAME>` part) is 1…64 bytes of `[A-Za-z0-9_]`.
    static let maxNameBytes = 64
    /// A request follows at most 8 aliases (the first match and 7 chained targets).
    static let maxChainLength = 8

    package struct Alias: Sendable, Equatable {
        /// The provider whose alias this is (lower case).
        package var provider: String
        /// The normalised name: lower case, `-` for `_`.
        package var name: String
        /// The variable that defined it, e.g. `OPENAI_ALIAS_SONNET`.
        package var variable: String
        /// Where the chain ends: the provider and the model sent upstream.
        var finalProvider: String
        var finalModel: String
        /// The variables followed, this one first.
        var chain: [String]
    }

    /// Per provider, in match order: longest name first, then byte order.
    let byProvider: [String: [Alias]]

    static let empty = ModelAliases(byProvider: [:])

    package var all: [Alias] { byProvider.keys.sorted().flatMap { byProvider[$0] ?? [] } }

    /// The normalised form names and requested models are compared in.
    static func normalised(_ text: some StringProtocol) -> String {
        String(text.lowercased().map { $0 == "_" ? "-" : $0 })
    }

    /// The alias of `provider` that `model` selects, if any (longest contained name, then byte order).
    package func match(_ model: String, provider: String) -> Alias? {
        guard let aliases = byProvider[provider], model.utf8.count <= RecordBounds.maxModelBytes else { return nil }
        let key = Self.normalised(model)
        return aliases.first { key.contains($0.name) }
    }

    /// One parsed variable before its chain is followed.
    private struct Definition {
        var provider: String
        var name: String
        var variable: String
        var targetProvider: String
        var targetModel: String
        var literal: Bool
    }

    package static func fromEnvironment(_ env: [String: String], providers: Set<String>) throws -> ModelAliases {
        var definitions: [String: [String: Definition]] = [:]
        var count = 0
        for variable in env.keys.sorted() {
            guard let (provider, rawName) = try split(variable, providers: providers) else { continue }
            count += 1
            guard count <= maxAliases else {
                throw ConfigurationError(variable: variable, problem: "more than \(maxAliases) {PROVIDER}_ALIAS_* variables")
            }
            guard !rawName.isEmpty, rawName.utf8.count <= maxNameBytes,
                  rawName.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
                throw ConfigurationError(variable: variable, problem: "the alias name must be 1–\(maxNameBytes) characters of A–Z, 0–9 and _")
            }
            let name = normalised(rawName)
            if let other = definitions[provider]?[name] {
                throw ConfigurationError(variable: variable, problem: "names the same alias as \(other.variable) ('\(name)': case and -/_ do not count)")
            }
            let (targetProvider, targetModel, literal) = try target(env[variable] ?? "", variable: variable, provider: provider, providers: providers)
            definitions[provider, default: [:]][name] = Definition(provider: provider, name: name, variable: variable,
                                                                    targetProvider: targetProvider, targetModel: targetModel, literal: literal)
        }
        var byProvider: [String: [Alias]] = [:]
        // In name order, so the error for a cycle names the same variable first on every run.
        for provider in definitions.keys.sorted() {
            let named = definitions[provider] ?? [:]
            var aliases: [Alias] = []
            for name in named.keys.sorted() {
                guard let definition = named[name] else { continue }
                aliases.append(try follow(definition, in: definitions))
            }
            aliases.sort { $0.name.utf8.count != $1.name.utf8.count ? $0.name.utf8.count > $1.name.utf8.count : $0.name < $1.name }
            byProvider[provider] = aliases
        }
        return ModelAliases(byProvider: byProvider)
    }

    /// `(provider, name)` when `variable` is `{P}_ALIAS_<NAME>`. Provider names may hold `_`, so each
    /// `_ALIAS_` is tried; one whose prefix is not a configured provider is an error (a typo would
    /// otherwise silently do nothing).
    private static func split(_ variable: String, providers: Set<String>) throws -> (String, String)? {
        var ranges: [Range<String.Index>] = []
        var searchStart = variable.startIndex
        while let range = variable.range(of: "_ALIAS_", range: searchStart..<variable.endIndex) {
            ranges.append(range)
            searchStart = variable.index(after: range.lowerBound)
        }
        guard !ranges.isEmpty else { return nil }
        for range in ranges {
            let provider = variable[..<range.lowerBound].lowercased()
            if providers.contains(provider) { return (provider, String(variable[range.upperBound...])) }
        }
        let prefix = variable[..<ranges[0].lowerBound]
        throw ConfigurationError(variable: variable, problem: "names provider '\(LineEscaper.escaped(prefix.lowercased()))', which is not configured (configured: \(providers.sorted().joined(separator: ", ")))")
    }

    /// A target as written: `[!][provider:]model`, bounded like a requested model.
    private static func target(_ raw: String, variable: String, provider: String, providers: Set<String>) throws -> (String, String, Bool) {
        let value = raw.trimmingCharacters(in: .whitespaces)
        guard !value.isEmpty else { throw ConfigurationError(variable: variable, problem: "is empty (the target model)") }
        guard value.utf8.count <= RecordBounds.maxModelBytes else {
            throw ConfigurationError(variable: variable, problem: "the target is \(value.utf8.count) bytes, longer than \(RecordBounds.maxModelBytes)")
        }
        guard value.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F }) else {
            throw ConfigurationError(variable: variable, problem: "the target holds a space or a control character")
        }
        let literal = value.hasPrefix("!")
        let body = literal ? String(value.dropFirst()) : value
        switch ModelName.split(body) {
        case .prefixed(let prefix, let model):
            let name = prefix.lowercased()
            guard providers.contains(name) else {
                throw ConfigurationError(variable: variable, problem: "targets provider '\(LineEscaper.escaped(name))', which is not configured (configured: \(providers.sorted().joined(separator: ", ")))")
            }
            return (name, model, literal)
        case .plain(let model):
            guard !model.isEmpty else { throw ConfigurationError(variable: variable, problem: "the target has no model name") }
            return (provider, model, literal)
        }
    }

    /// The end of `definition`'s chain: a target that is exactly an alias name in its provider is followed.
    private static func follow(_ definition: Definition, in definitions: [String: [String: Definition]]) throws -> Alias {
        var chain = [definition.variable]
        var current = definition
        while !current.literal, let next = definitions[current.targetProvider]?[normalised(current.targetModel)] {
            if chain.contains(next.variable) {
                throw ConfigurationError(variable: definition.variable, problem: "aliases form a cycle: \((chain + [next.variable]).joined(separator: " → "))")
            }
            chain.append(next.variable)
            guard chain.count <= maxChainLength else {
                throw ConfigurationError(variable: definition.variable, problem: "alias chain longer than \(maxChainLength): \(chain.joined(separator: " → "))")
            }
            current = next
        }
        return Alias(provider: definition.provider, name: definition.name, variable: definition.variable,
                     finalProvider: current.targetProvider, finalModel: current.targetModel, chain: chain)
    }
}

/// How a model string splits at its first colon (the one rule for requests and alias targets): a
/// `provider:` prefix only when the part before is provider-shaped (`[A-Za-z0-9_-]+`) and a model
/// follows; anything else (`vendor/model:free`) is a plain model name.
enum ModelName: Equatable {
    case prefixed(provider: String, model: String)
    case plain(String)

    /// On UTF-8 bytes: the prefix rule is ASCII only, and this runs for every request (the
    /// `Character` properties cost ~4 µs a request).
    static func split(_ text: String) -> ModelName {
        let utf8 = text.utf8
        guard let colon = utf8.firstIndex(of: UInt8(ascii: ":")) else { return .plain(text) }
        let prefix = utf8[..<colon]
        let model = utf8[utf8.index(after: colon)...]
        guard !prefix.isEmpty, !model.isEmpty, prefix.allSatisfy(Self.isProviderByte) else { return .plain(text) }
        return .prefixed(provider: String(Substring(prefix)), model: String(Substring(model)))
    }

    private static func isProviderByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"): true
        default: false
        }
    }
}
