import AsyncHTTPClient
import Foundation
import LogPipeline
import NIOCore
import Testing
import VDMProxy

/// `PROXY_API_KEY` with `!PASSTHRU` providers: the client presents both keys, one in `x-api-key` and
/// one in `Authorization: Bearer`; the proxy's key never goes upstream, whichever header holds it.
@Suite struct ProxyKeyPassthroughTests {
    static let proxyKey = "vdm-proxy-Key-7f3a9c2e41d8b6"
    static let clientKey = "client-Own-Key-5e1b8d0a93c7f2"

    @Test func theProxysKeyIsNeverForwardedAndTheClientsIsRequired() async throws {
        try await EchoKeyUpstream.with { upstream, port in
            let env = [
                "OPENROUTER_API_KEY": "!PASSTHRU", "OPENROUTER_BASE_URL": "http://127.0.0.1:\(port)/v1",
                "CLAUDE_API_KEY": "!PASSTHRU", "CLAUDE_BASE_URL": "http://127.0.0.1:\(port)", "CLAUDE_API_FORMAT": "anthropic",
                "PROXY_API_KEY": Self.proxyKey, "VDM_DEFAULT_PROVIDER": "openrouter", "LOG_SUMMARY_INTERVAL": "0",
            ]
            let json = FileManager.default.temporaryDirectory.appendingPathComponent("vdm-passthru-\(UUID().uuidString).jsonl").path
            defer { try? FileManager.default.removeItem(atPath: json) }
            let setup = try ServeSetup.make(env: env, host: "127.0.0.1", port: 0, logJSON: json, console: false)
            try await ProxyRunner.withRunning(setup.server) { proxy in
                func post(_ model: String, _ headers: [(String, String)], path: String = "/v1/messages") async throws -> SecretCanaryTests.Exchange {
                    try await SecretCanaryTests.exchange(model, proxy.baseURL + path, method: .POST, headers: headers, body: anthropicBody(model: model))
                }
                for provider in ["openrouter", "claude"] {
                    for onlyProxy in [[("x-api-key", Self.proxyKey)], [("authorization", "Bearer \(Self.proxyKey)")]] {
                        let before = upstream.credentials.count
                        let refused = try await post("\(provider):plain", onlyProxy)
                        #expect(refused.status == 401, "\(refused.text)")
                        #expect(refused.text.contains("send the proxy's key in one of x-api-key / Authorization: Bearer and the provider key in the other"), "\(refused.text)")
                        #expect(upstream.credentials.count == before, "nothing went upstream")
                    }
                    let orders = [[("x-api-key", Self.proxyKey), ("authorization", "Bearer \(Self.clientKey)")],
                                  [("x-api-key", Self.clientKey), ("authorization", "Bearer \(Self.proxyKey)")]]
                    for both in orders {
                        let ok = try await post("\(provider):plain", both)
                        #expect(ok.status == 200, "\(ok.text)")
                        #expect(upstream.credentials.last == Self.clientKey)
                        // The upstream rejects the client's key and quotes it: the client's own key is redacted too.
                        let rejected = try await post("\(provider):echo-status-401", both)
                        #expect(rejected.status == 401, "\(rejected.text)")
                        #expect(rejected.text.contains(SecretCanaryTests.marker(Self.clientKey)), "\(rejected.text)")
                        #expect(!rejected.text.contains(Self.clientKey))
                    }
                    // Neither key is the proxy's: refused by the proxy itself.
                    let wrong = try await post("\(provider):plain", [("x-api-key", Self.clientKey), ("authorization", "Bearer \(Self.clientKey)")])
                    #expect(wrong.status == 401)
                }
                let counted = try await post("claude:plain", [("authorization", "Bearer \(Self.proxyKey)"), ("x-api-key", Self.clientKey)],
                                             path: "/v1/messages/count_tokens")
                #expect(counted.status == 200, "\(counted.text)")
                #expect(counted.text.contains(SecretCanaryTests.marker(Self.clientKey)), "the echoed key arrives redacted: \(counted.text)")
                #expect(upstream.credentials.last == Self.clientKey)
            }
            #expect(!upstream.credentials.isEmpty)
            #expect(upstream.credentials.allSatisfy { $0 == Self.clientKey }, "\(upstream.credentials)")
            let log = try String(contentsOfFile: json, encoding: .utf8)
            #expect(SecretCanaryTests.leaks(of: Self.proxyKey, in: log).isEmpty)
            #expect(SecretCanaryTests.leaks(of: Self.clientKey, in: log).isEmpty)
            #expect(log.contains(SecretCanaryTests.marker(Self.clientKey)))
        }
    }

    @Test func keysTooShortToRedactByValueAreNamedAtStartUpNeverShown() throws {
        let env = ["OPENAI_API_KEY": "short", "LOCAL_API_KEY": "sk-long-enough-key-0123456789", "LOCAL_BASE_URL": "http://127.0.0.1:9",
                   "PROXY_API_KEY": "tiny"]
        let (redactor, warnings) = ServeSetup.redactor(registry: try ProviderRegistry.fromEnvironment(env), settings: try ServerSettings.fromEnvironment(env))
        #expect(warnings == [
            "OPENAI_API_KEY is shorter than 8 bytes: too short to be redacted by value, only by shape",
            "PROXY_API_KEY is shorter than 8 bytes: too short to be redacted by value, only by shape",
        ])
        #expect(redactor.secrets.count == 1)
        #expect(redactor.redact("glued-sk-long-enough-key-0123456789") == "glued-[redacted:\(SecretHash.short("sk-long-enough-key-0123456789"))]")
    }
}
