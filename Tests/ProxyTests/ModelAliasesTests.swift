import Foundation
import LogPipeline
import Testing
import VDMProxy
import MockUpstream

/// `{P}_ALIAS_<NAME>` resolution (docs/configuration.md, "Model aliases"), against hand-written
/// expectations.
@Suite struct ModelAliasesTests {
    static let base = ["OPENAI_API_KEY": "sk-a", "OPENROUTER_API_KEY": "sk-b", "ANTHROPIC_API_KEY": "sk-c"]

    static func registry(_ aliases: [String: String]) throws -> ProviderRegistry {
        try ProviderRegistry.fromEnvironment(base.merging(aliases) { $1 })
    }

    static func expectResolved(_ registry: ProviderRegistry, _ requested: String, _ provider: String, _ model: String, via: [String],
                               sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        guard case .resolved(let p, let m, let v) = registry.resolve(requested) else {
            Issue.record("\(requested) did not resolve", sourceLocation: sourceLocation)
            return
        }
        #expect(p.name == provider, "\(requested)", sourceLocation: sourceLocation)
        #expect(m == model, "\(requested)", sourceLocation: sourceLocation)
        #expect(v == via, "\(requested)", sourceLocation: sourceLocation)
    }

    static func expectError(_ aliases: [String: String], variable: String, containing: String,
                            sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        do {
            _ = try registry(aliases)
            Issue.record("expected a start-up error naming \(variable)", sourceLocation: sourceLocation)
        } catch let error as ConfigurationError {
            #expect(error.variable == variable, sourceLocation: sourceLocation)
            #expect(error.description.contains(containing), "\(error)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func claudeCodeModelNamesResolveBySubstring() throws {
        let r = try Self.registry(["OPENAI_ALIAS_SONNET": "gpt-5", "OPENAI_ALIAS_HAIKU": "gpt-5-mini", "OPENAI_ALIAS_OPUS": "gpt-5-pro"])
        Self.expectResolved(r, "claude-sonnet-4-5-20250929", "openai", "gpt-5", via: ["OPENAI_ALIAS_SONNET"])
        Self.expectResolved(r, "claude-haiku-4-5", "openai", "gpt-5-mini", via: ["OPENAI_ALIAS_HAIKU"])
        Self.expectResolved(r, "claude-opus-4-1", "openai", "gpt-5-pro", via: ["OPENAI_ALIAS_OPUS"])
        Self.expectResolved(r, "CLAUDE-SONNET-4", "openai", "gpt-5", via: ["OPENAI_ALIAS_SONNET"])
        // No alias matches: unchanged, default provider.
        Self.expectResolved(r, "gpt-4o", "openai", "gpt-4o", via: [])
    }

    @Test func caseAndDashUnderscoreDoNotCountAndTheLongestNameWins() throws {
        let r = try Self.registry(["OPENAI_ALIAS_SONNET": "gpt-5", "OPENAI_ALIAS_sonnet_4_5": "gpt-5.1"])
        Self.expectResolved(r, "claude-sonnet-4-5-20250929", "openai", "gpt-5.1", via: ["OPENAI_ALIAS_sonnet_4_5"])
        Self.expectResolved(r, "claude_Sonnet_4_5", "openai", "gpt-5.1", via: ["OPENAI_ALIAS_sonnet_4_5"])
        Self.expectResolved(r, "claude-sonnet-4-0", "openai", "gpt-5", via: ["OPENAI_ALIAS_SONNET"])
    }

    @Test func equallyLongMatchesGoToTheFirstNameInByteOrder() throws {
        let r = try Self.registry(["OPENAI_ALIAS_XYZ": "model-x", "OPENAI_ALIAS_ABC": "model-a"])
        Self.expectResolved(r, "abc-xyz", "openai", "model-a", via: ["OPENAI_ALIAS_ABC"])
        Self.expectResolved(r, "xyz-abc", "openai", "model-a", via: ["OPENAI_ALIAS_ABC"])
        Self.expectResolved(r, "xyz", "openai", "model-x", via: ["OPENAI_ALIAS_XYZ"])
    }

    @Test func aPrefixResolvesWithinThatProviderOnly() throws {
        let r = try Self.registry(["OPENROUTER_ALIAS_SONNET": "anthropic/claude-sonnet-4.5", "OPENAI_ALIAS_HAIKU": "gpt-5-mini"])
        Self.expectResolved(r, "openrouter:claude-sonnet-4-5", "openrouter", "anthropic/claude-sonnet-4.5", via: ["OPENROUTER_ALIAS_SONNET"])
        // Unprefixed: the default provider's aliases only.
        Self.expectResolved(r, "claude-sonnet-4-5", "openai", "claude-sonnet-4-5", via: [])
        // Prefixed: that provider's aliases only.
        Self.expectResolved(r, "openrouter:claude-haiku-4-5", "openrouter", "claude-haiku-4-5", via: [])
        Self.expectResolved(r, "OpenRouter:Claude-Sonnet", "openrouter", "anthropic/claude-sonnet-4.5", via: ["OPENROUTER_ALIAS_SONNET"])
        #expect(r.resolve("poe:claude-sonnet") == .unknownProvider("poe"))
    }

    @Test func aLeadingBangBypassesAliases() throws {
        let r = try Self.registry(["OPENAI_ALIAS_SONNET": "gpt-5", "OPENROUTER_ALIAS_SONNET": "x/y"])
        Self.expectResolved(r, "!claude-sonnet-4-5", "openai", "claude-sonnet-4-5", via: [])
        Self.expectResolved(r, "!openrouter:sonnet", "openrouter", "sonnet", via: [])
        // A lone "!" is a model name like any other.
        Self.expectResolved(r, "!", "openai", "!", via: [])
    }

    @Test func targetsMayNameAnotherProviderAndChainsAreFollowed() throws {
        let r = try Self.registry([
            "OPENAI_ALIAS_OPUS": "openrouter:anthropic/claude-opus-4.1",
            "OPENAI_ALIAS_FAST": "haiku", "OPENAI_ALIAS_HAIKU": "cheap", "OPENAI_ALIAS_CHEAP": "gpt-5-nano",
            "OPENAI_ALIAS_QUICK": "!haiku",
            "OPENAI_ALIAS_FREE": "openrouter:free", "OPENROUTER_ALIAS_FREE": "kwaipilot/kat-coder-pro:free",
        ])
        Self.expectResolved(r, "claude-opus-4-1", "openrouter", "anthropic/claude-opus-4.1", via: ["OPENAI_ALIAS_OPUS"])
        Self.expectResolved(r, "fast", "openai", "gpt-5-nano", via: ["OPENAI_ALIAS_FAST", "OPENAI_ALIAS_HAIKU", "OPENAI_ALIAS_CHEAP"])
        // A literal target is not followed.
        Self.expectResolved(r, "quick", "openai", "haiku", via: ["OPENAI_ALIAS_QUICK"])
        Self.expectResolved(r, "free", "openrouter", "kwaipilot/kat-coder-pro:free", via: ["OPENAI_ALIAS_FREE", "OPENROUTER_ALIAS_FREE"])
    }

    @Test func aChainOfEightIsAllowedNine_isAnError() throws {
        var eight: [String: String] = [:]
        for i in 1...7 { eight["OPENAI_ALIAS_A\(i)"] = "a\(i + 1)" }
        eight["OPENAI_ALIAS_A8"] = "gpt-5"
        let r = try Self.registry(eight)
        Self.expectResolved(r, "a1", "openai", "gpt-5", via: (1...8).map { "OPENAI_ALIAS_A\($0)" })
        var nine = eight
        nine["OPENAI_ALIAS_A8"] = "a9"
        nine["OPENAI_ALIAS_A9"] = "gpt-5"
        Self.expectError(nine, variable: "OPENAI_ALIAS_A1", containing: "alias chain longer than 8")
    }

    @Test func aCycleIsAStartupErrorNamingTheVariables() {
        Self.expectError(["OPENAI_ALIAS_A": "b", "OPENAI_ALIAS_B": "A"], variable: "OPENAI_ALIAS_A",
                         containing: "OPENAI_ALIAS_A → OPENAI_ALIAS_B → OPENAI_ALIAS_A")
        Self.expectError(["OPENAI_ALIAS_GPT": "gpt"], variable: "OPENAI_ALIAS_GPT", containing: "OPENAI_ALIAS_GPT → OPENAI_ALIAS_GPT")
        Self.expectError(["OPENAI_ALIAS_X": "openrouter:y", "OPENROUTER_ALIAS_Y": "openai:x"], variable: "OPENAI_ALIAS_X",
                         containing: "OPENAI_ALIAS_X → OPENROUTER_ALIAS_Y → OPENAI_ALIAS_X")
    }

    @Test func hostileOrMistakenValuesAreStartupErrors() {
        Self.expectError(["OPENAI_ALIAS_X": "poe:gpt"], variable: "OPENAI_ALIAS_X", containing: "targets provider 'poe', which is not configured")
        Self.expectError(["POE_ALIAS_SONNET": "gpt-5"], variable: "POE_ALIAS_SONNET", containing: "names provider 'poe', which is not configured")
        Self.expectError(["OPENAI_ALIAS_SONNET": "gpt-5", "OPENAI_ALIAS_sonnet": "gpt-4o"], variable: "OPENAI_ALIAS_sonnet",
                         containing: "names the same alias as OPENAI_ALIAS_SONNET")
        Self.expectError(["OPENAI_ALIAS_X": "  "], variable: "OPENAI_ALIAS_X", containing: "is empty")
        Self.expectError(["OPENAI_ALIAS_X": String(repeating: "m", count: 257)], variable: "OPENAI_ALIAS_X", containing: "257 bytes, longer than 256")
        Self.expectError(["OPENAI_ALIAS_X": "gpt\n5"], variable: "OPENAI_ALIAS_X", containing: "control character")
        Self.expectError(["OPENAI_ALIAS_" + String(repeating: "N", count: 65): "m"], variable: "OPENAI_ALIAS_" + String(repeating: "N", count: 65),
                         containing: "1–64 characters")
        Self.expectError(["OPENAI_ALIAS_A-B": "m"], variable: "OPENAI_ALIAS_A-B", containing: "1–64 characters")
        Self.expectError(["OPENAI_ALIAS_": "m"], variable: "OPENAI_ALIAS_", containing: "1–64 characters")
        var many: [String: String] = [:]
        for i in 0..<257 { many[String(format: "OPENAI_ALIAS_M%03d", i)] = "m" }
        Self.expectError(many, variable: "OPENAI_ALIAS_M256", containing: "more than 256")
    }

    @Test func providerNamesWithUnderscoresTakeTheirAliases() throws {
        let r = try ProviderRegistry.fromEnvironment([
            "MY_LLM_API_KEY": "k", "MY_LLM_BASE_URL": "http://127.0.0.1:9/v1", "MY_LLM_ALIAS_FAST": "llama-3", "VDM_DEFAULT_PROVIDER": "my_llm",
        ])
        Self.expectResolved(r, "fast-one", "my_llm", "llama-3", via: ["MY_LLM_ALIAS_FAST"])
    }

    @Test func theModelListResolvesToWhatItSays() throws {
        let r = try Self.registry(["OPENAI_ALIAS_SONNET": "gpt-5", "OPENAI_ALIAS_GPT": "gpt-4o", "OPENROUTER_ALIAS_FREE": "kwaipilot/kat-coder-pro:free"])
        let catalog = ModelCatalog(registry: r, redactor: Redactor())
        #expect(catalog.entries == [
            .init(id: "gpt", displayName: "gpt → openai:gpt-4o", provider: "openai"),
            .init(id: "sonnet", displayName: "sonnet → openai:gpt-5", provider: "openai"),
            .init(id: "openrouter:free", displayName: "openrouter:free → openrouter:kwaipilot/kat-coder-pro:free", provider: "openrouter"),
            .init(id: "openai:gpt-4o", displayName: "gpt-4o", provider: "openai"),
            // "gpt-5" contains the alias "gpt" (→ gpt-4o): listed with the bypass.
            .init(id: "!openai:gpt-5", displayName: "gpt-5", provider: "openai"),
            .init(id: "openrouter:kwaipilot/kat-coder-pro:free", displayName: "kwaipilot/kat-coder-pro:free", provider: "openrouter"),
        ])
        #expect(String(decoding: ModelCatalog(registry: try Self.registry([:]), redactor: Redactor()).anthropic.serialized(), as: UTF8.self)
            == #"{"data":[],"has_more":false,"first_id":null,"last_id":null}"#)
    }
}
