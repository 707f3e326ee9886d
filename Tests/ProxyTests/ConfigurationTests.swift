import Testing
import VDMProxy

@Suite struct ConfigurationTests {
    @Test func providersComeFromTheEnvironment() throws {
        let registry = try ProviderRegistry.fromEnvironment([
            "OPENAI_API_KEY": "sk-a", "ANTHROPIC_API_KEY": "sk-b", "OPENROUTER_API_KEY": "!PASSTHRU",
            "LOCAL_API_KEY": "k", "LOCAL_BASE_URL": "http://127.0.0.1:1234/v1/", "LOCAL_API_FORMAT": "Anthropic",
            "PROXY_API_KEY": "not-a-provider",
        ])
        #expect(Set(registry.providers.keys) == ["openai", "anthropic", "openrouter", "local"])
        #expect(registry.defaultProvider == "openai")
        #expect(registry.providers["anthropic"]?.format == .anthropic)
        #expect(registry.providers["openrouter"]?.credential == .passthrough)
        #expect(registry.providers["local"]?.baseURL == "http://127.0.0.1:1234/v1")
        #expect(registry.providers["local"]?.format == .anthropic)
        #expect(registry.providers["openai"]?.keyDisplay.hasPrefix("sha256:") == true)
    }

    @Test func defaultProviderIsHonouredWhateverItsValue() throws {
        let env = ["OPENAI_API_KEY": "a", "POE_API_KEY": "b", "POE_BASE_URL": "https://poe.example/v1"]
        #expect(try ProviderRegistry.fromEnvironment(env.merging(["VDM_DEFAULT_PROVIDER": "poe"]) { $1 }).defaultProvider == "poe")
        #expect(try ProviderRegistry.fromEnvironment(env.merging(["VDM_DEFAULT_PROVIDER": "OpenAI"]) { $1 }).defaultProvider == "openai")
        #expect(throws: ConfigurationError.self) { try ProviderRegistry.fromEnvironment(env.merging(["VDM_DEFAULT_PROVIDER": "nope"]) { $1 }) }
    }

    @Test(arguments: [
        (["POE_API_KEY": "x"], "POE_BASE_URL"),
        (["OPENAI_API_KEY": "x", "OPENAI_API_FORMAT": "grpc"], "OPENAI_API_FORMAT"),
        (["OPENAI_API_KEY": "x", "OPENAI_BASE_URL": "ftp://x"], "OPENAI_BASE_URL"),
        (["OPENAI_API_KEY": " "], "OPENAI_API_KEY"),
        ([String: String](), "OPENAI_API_KEY"),
    ])
    func badConfigurationNamesTheVariable(env: [String: String], variable: String) {
        do {
            _ = try ProviderRegistry.fromEnvironment(env)
            Issue.record("expected an error naming \(variable)")
        } catch let error as ConfigurationError {
            #expect(error.variable == variable)
            #expect(error.description.hasPrefix(variable))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func modelNamesSplitAtTheFirstColon() throws {
        let registry = try ProviderRegistry.fromEnvironment(["OPENAI_API_KEY": "a", "OPENROUTER_API_KEY": "b"])
        #expect(registry.resolve("openrouter:kwaipilot/kat-coder-pro:free") == .resolved(registry.providers["openrouter"]!, model: "kwaipilot/kat-coder-pro:free"))
        #expect(registry.resolve("gpt-4o") == .resolved(registry.providers["openai"]!, model: "gpt-4o"))
        #expect(registry.resolve("vendor/model:tag") == .resolved(registry.providers["openai"]!, model: "vendor/model:tag"))
        #expect(registry.resolve("OpenRouter:x") == .resolved(registry.providers["openrouter"]!, model: "x"))
        #expect(registry.resolve("poe:claude") == .unknownProvider("poe"))
        // Only `[A-Za-z0-9_-]+` before the colon is a provider, and both sides must be non-empty.
        let openai = registry.providers["openai"]!
        #expect(registry.resolve("my_open-router2:x") == .unknownProvider("my_open-router2"))
        #expect(registry.resolve("open.ai:x") == .resolved(openai, model: "open.ai:x"))
        #expect(registry.resolve("a b:c") == .resolved(openai, model: "a b:c"))
        #expect(registry.resolve("\u{E9}:x") == .resolved(openai, model: "\u{E9}:x"))
        #expect(registry.resolve(":gpt") == .resolved(openai, model: ":gpt"))
        #expect(registry.resolve("openrouter:") == .resolved(openai, model: "openrouter:"))
        #expect(registry.resolve("openrouter:\u{E9}:1") == .resolved(registry.providers["openrouter"]!, model: "\u{E9}:1"))
    }

    @Test func serverSettingsValidateNumbers() throws {
        let s = try ServerSettings.fromEnvironment(["PORT": "9000", "REQUEST_TIMEOUT": "2.5", "LOG_REQUEST_METRICS": "false", "PROXY_API_KEY": "k"])
        #expect(s.port == 9000)
        #expect(s.requestTimeout == .milliseconds(2500))
        #expect(s.metricsEnabled == false)
        #expect(s.proxyAPIKey == "k")
        #expect(s.upstreamConnections == 1024)
        #expect(try ServerSettings.fromEnvironment(["VDM_UPSTREAM_CONNECTIONS": "16384"]).upstreamConnections == 16384)
        for (name, value) in [("PORT", "70000"), ("REQUEST_TIMEOUT", "-1"), ("LOG_REQUEST_METRICS", "maybe"), ("VDM_MAX_REQUEST_BYTES", "0"),
                              ("VDM_UPSTREAM_CONNECTIONS", "0"), ("VDM_UPSTREAM_CONNECTIONS", "16385"), ("VDM_UPSTREAM_CONNECTIONS", "many")] {
            #expect(throws: ConfigurationError.self, "\(name)=\(value)") { try ServerSettings.fromEnvironment([name: value]) }
        }
    }
}
