import Foundation
import LogPipeline

/// One upstream provider, from `{P}_API_KEY`, `{P}_BASE_URL`, `{P}_API_FORMAT`.
package struct ProviderConfig: Sendable, Equatable {
    package enum Format: String, Sendable { case openai, anthropic }
    package enum Credential: Sendable, Equatable {
        case key(String)
        /// `{P}_API_KEY=!PASSTHRU`: forward the client's own key.
        case passthrough
    }

    package var name: String
    package var baseURL: String
    package var format: Format
    package var credential: Credential

    /// What startup output and `/health` show instead of the key: `sha256:1a2b3c4d` or `passthrough`.
    package var keyDisplay: String {
        switch credential {
        case .key(let key): "sha256:" + SecretHash.short(key)
        case .passthrough: "passthrough"
        }
    }

    var isPassthrough: Bool { credential == .passthrough }

    /// `{P}_API_KEY`, the variable the key came from.
    var keyVariable: String { name.uppercased() + "_API_KEY" }
}

package struct ConfigurationError: Error, CustomStringConvertible {
    package let variable: String
    package let problem: String
    package var description: String { "\(variable): \(problem)" }
}

/// The configured providers and the model-name rules.
package struct ProviderRegistry: Sendable {
    package let providers: [String: ProviderConfig]
    package let defaultProvider: String
    /// `{P}_ALIAS_*` (`ModelAliases`).
    package var aliases: ModelAliases = .empty

    static let defaultBaseURLs: [String: String] = [
        "openai": "https://api.openai.com/v1",
        "anthropic": "https://api.anthropic.com",
        "openrouter": "https://openrouter.ai/api/v1",
    ]

    /// Reads providers from the environment. Any `{P}_API_KEY` (other than `PROXY_API_KEY`) defines
    /// provider `p`. Bad configuration throws an error naming the variable.
    package static func fromEnvironment(_ env: [String: String]) throws -> ProviderRegistry {
        var providers: [String: ProviderConfig] = [:]
        for (variable, value) in env where variable.hasSuffix("_API_KEY") && variable != "PROXY_API_KEY" {
            let prefix = String(variable.dropLast("_API_KEY".count))
            guard !prefix.isEmpty, prefix.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { continue }
            let name = prefix.lowercased()
            let key = value.trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty else { throw ConfigurationError(variable: variable, problem: "is empty") }
            let credential: ProviderConfig.Credential = key == "!PASSTHRU" ? .passthrough : .key(key)
            let formatVariable = "\(prefix)_API_FORMAT"
            let format: ProviderConfig.Format
            if let raw = env[formatVariable], !raw.isEmpty {
                guard let parsed = ProviderConfig.Format(rawValue: raw.lowercased()) else {
                    throw ConfigurationError(variable: formatVariable, problem: "must be 'openai' or 'anthropic', not '\(LineEscaper.escaped(raw))'")
                }
                format = parsed
            } else {
                format = name == "anthropic" ? .anthropic : .openai
            }
            let urlVariable = "\(prefix)_BASE_URL"
            guard let base = env[urlVariable].flatMap({ $0.isEmpty ? nil : $0 }) ?? defaultBaseURLs[name] else {
                throw ConfigurationError(variable: urlVariable, problem: "is required for provider '\(name)'")
            }
            guard base.hasPrefix("http://") || base.hasPrefix("https://") else {
                throw ConfigurationError(variable: urlVariable, problem: "must start with http:// or https://")
            }
            providers[name] = ProviderConfig(name: name, baseURL: base.hasSuffix("/") ? String(base.dropLast()) : base, format: format, credential: credential)
        }
        guard !providers.isEmpty else {
            throw ConfigurationError(variable: "OPENAI_API_KEY", problem: "no provider configured; set at least one {PROVIDER}_API_KEY (e.g. OPENAI_API_KEY)")
        }
        let defaultName: String
        if let raw = env["VDM_DEFAULT_PROVIDER"], !raw.isEmpty {
            // Honoured whatever its value, as long as it names a configured provider.
            guard providers[raw.lowercased()] != nil else {
                throw ConfigurationError(variable: "VDM_DEFAULT_PROVIDER", problem: "names '\(LineEscaper.escaped(raw))', which is not configured (configured: \(providers.keys.sorted().joined(separator: ", ")))")
            }
            defaultName = raw.lowercased()
        } else if providers["openai"] != nil {
            defaultName = "openai"
        } else if let first = providers.keys.sorted().first {
            defaultName = first
        } else {
            defaultName = "openai"
        }
        let aliases = try ModelAliases.fromEnvironment(env, providers: Set(providers.keys))
        return ProviderRegistry(providers: providers, defaultProvider: defaultName, aliases: aliases)
    }

    /// Every configured provider key (not `!PASSTHRU`): what the redactor replaces by value.
    var configuredKeys: [(variable: String, key: String)] {
        providers.values.sorted { $0.name < $1.name }.compactMap { provider in
            if case .key(let key) = provider.credential { return (provider.keyVariable, key) }
            return nil
        }
    }

    package enum Resolution: Equatable {
        /// `via`: the alias variables followed (empty when no alias applied).
        case resolved(ProviderConfig, model: String, via: [String] = [])
        case unknownProvider(String)
    }

    /// The provider and upstream model for a requested model name (docs/configuration.md, "Model
    /// aliases"): a leading `!` bypasses aliases; `provider:model` is split at the first colon when
    /// the part before looks like a provider name (`ModelName.split`) and resolves within that
    /// provider — a provider-shaped prefix that is not configured is an error, not silently the
    /// default; anything else resolves within the default provider. Then the provider's aliases
    /// apply (`ModelAliases.match`), whose target may be another provider.
    package func resolve(_ requested: String) -> Resolution {
        let literal = requested.hasPrefix("!") && requested.count > 1
        let name = literal ? String(requested.dropFirst()) : requested
        let providerName: String
        let model: String
        switch ModelName.split(name) {
        case .prefixed(let prefix, let rest):
            providerName = prefix.lowercased()
            model = rest
            guard providers[providerName] != nil else { return .unknownProvider(prefix) }
        case .plain(let plain):
            providerName = defaultProvider
            model = plain
        }
        if !literal, let alias = aliases.match(model, provider: providerName) {
            guard let target = providers[alias.finalProvider] else { return .unknownProvider(alias.finalProvider) }
            return .resolved(target, model: alias.finalModel, via: alias.chain)
        }
        guard let provider = providers[providerName] else { return .unknownProvider(providerName) }
        return .resolved(provider, model: model)
    }
}
