import AsyncHTTPClient
import Foundation
import LogPipeline
import Testing
import VDMBench
import Yams
import VDMProxy
import MockUpstream

/// The README recipe for Claude Code, end to end: a real `vdm serve` process over the real mock
/// upstream (OpenAI format), driven by the official Anthropic Python SDK with Claude Code's model
/// names, streaming and not, and the environment variables Claude Code reads.
@Suite struct ClaudeCodeSDKTests {
    static let proxyKey = "vdm-recipe-proxy-key-0123456789"

    /// What the SDK does, as Claude Code would: three model names, both modes, the model list, and
    /// one telemetry post (plain HTTP, no key, as Claude Code's exporter sends it).
    static let script = #"""
    import json, os, urllib.request
    import anthropic

    client = anthropic.Anthropic(max_retries=0)  # ANTHROPIC_BASE_URL and ANTHROPIC_AUTH_TOKEN from the environment
    out = []
    messages = [{"role": "user", "content": "Hello from the SDK"}]
    for model in ["claude-sonnet-4-5-20250929", "claude-haiku-4-5", "claude-opus-4-1"]:
        msg = client.messages.create(model=model, max_tokens=64, messages=messages)
        out.append({"model": model, "stream": False, "response_model": msg.model, "stop": msg.stop_reason,
                    "text": "".join(b.text for b in msg.content if b.type == "text")})
        with client.messages.stream(model=model, max_tokens=64, messages=messages) as stream:
            final = stream.get_final_message()
        out.append({"model": model, "stream": True, "response_model": final.model, "stop": final.stop_reason,
                    "text": "".join(b.text for b in final.content if b.type == "text")})
    out.append({"models": [m.id for m in client.models.list()]})
    batch = urllib.request.Request(os.environ["ANTHROPIC_BASE_URL"] + "/api/event_logging/batch", method="POST",
                                   data=b'{"events":[{"event_type":"x"}]}', headers={"content-type": "application/json"})
    with urllib.request.urlopen(batch, timeout=10) as r:
        out.append({"telemetry": r.status})
    print(json.dumps(out))
    """#

    @Test func anthropicSDKWithClaudeCodeNamesThroughVdmServe() async throws {
        let python = try ExternalTool.venvPython()
        #expect(FileManager.default.isExecutableFile(atPath: ServeProcessTests.binary), "build the vdm product first (swift build)")
        try await MockUpstream.withRunning { mock in
            let port = try await ServerPorts.free()
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vdm-recipe-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let json = dir + "/serve.jsonl"
            let child = try ChildProcess.start(ServeProcessTests.binary, ["serve", "--port", String(port), "--log-json", json], env: [
                "OPENAI_API_KEY": "sk-recipe-openai-0123456789abcdefghij", "OPENAI_BASE_URL": mock.baseURL + "/v1",
                "OPENAI_ALIAS_SONNET": "gpt-5", "OPENAI_ALIAS_HAIKU": "gpt-5-mini", "OPENAI_ALIAS_OPUS": "gpt-5-pro",
                "PROXY_API_KEY": Self.proxyKey, "LOG_LEVEL": "DEBUG", "LOG_SUMMARY_INTERVAL": "0",
            ], output: dir + "/console.log")
            defer { child.stop() }
            let base = "http://127.0.0.1:\(port)"
            try await ProxyBench.waitUntilUp(base + "/health")
            let scriptPath = dir + "/recipe.py"
            try Self.script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
            let run = try await ExternalTool.run(python, [scriptPath], environment: [
                "ANTHROPIC_BASE_URL": base, "ANTHROPIC_AUTH_TOKEN": Self.proxyKey, "PATH": "/usr/bin:/bin",
            ])
            #expect(run.status == 0, "\(run.stderr)")
            let results = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]])
            #expect(results.count == 8)
            for result in results.prefix(6) {
                #expect(result["response_model"] as? String == result["model"] as? String, "\(result)")
                #expect(result["stop"] as? String == "end_turn", "\(result)")
                #expect((result["text"] as? String)?.isEmpty == false, "\(result)")
            }
            #expect(results[6]["models"] as? [String] == ["haiku", "opus", "sonnet", "openai:gpt-5", "openai:gpt-5-mini", "openai:gpt-5-pro"])
            #expect(results[7]["telemetry"] as? Int == 200)

            // The mock's own record of what it was asked for.
            let asked = try mock.state.recordedRequests().filter { $0.path.hasSuffix("/chat/completions") }.map {
                try #require(JSONValue.parse(Array($0.body.utf8))["model"]?.string)
            }
            #expect(asked.sorted() == ["gpt-5", "gpt-5", "gpt-5-mini", "gpt-5-mini", "gpt-5-pro", "gpt-5-pro"])

            // Live totals keyed by the resolved model.
            var request = HTTPClientRequest(url: base + "/metrics/running-totals?include_active=false")
            request.headers.add(name: "authorization", value: "Bearer " + Self.proxyKey)
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            let live = String(buffer: try await response.body.collect(upTo: 1 << 20))
            let yaml = try #require(try Yams.load(yaml: live) as? [String: Any])
            let summary = try #require(yaml["summary"] as? [String: Any])
            #expect(summary["total_requests"] as? Int == 6)
            let providers = try #require(yaml["providers"] as? [String: Any])
            #expect(Set(providers.keys) == ["openai"])
            let models = try #require((providers["openai"] as? [String: Any])?["models"] as? [String: Any])
            #expect(Set(models.keys) == ["gpt-5", "gpt-5-mini", "gpt-5-pro"])
            for name in models.keys {
                let sections = models[name] as? [String: Any]
                #expect((sections?["streaming"] as? [String: Any])?["requests"] as? Int == 1, "\(name)")
                #expect((sections?["non_streaming"] as? [String: Any])?["requests"] as? Int == 1, "\(name)")
            }

            // Stop (flushes the log), then `vdm replay` of it equals the live totals.
            #expect(try await child.stop(timeout: .seconds(60)) == 0)
            let replay = try await ExternalTool.run(ServeProcessTests.binary, ["replay", "--quiet", json])
            #expect(replay.status == 0, "\(replay.stderr)")
            #expect(TotalsFormat.yaml.comparable(replay.stdout) == TotalsFormat.yaml.comparable(live))

            // The whole session: no WARNING or ERROR line, one DEBUG MODEL line per model request, with its id.
            let lines = try String(contentsOfFile: json, encoding: .utf8).split(separator: "\n").map { try JSONValue.parse(Array($0.utf8)) }
            let loud = lines.filter { ["warning", "error", "critical"].contains($0["log.level"]?.string ?? "") }
            #expect(loud.isEmpty, "\(loud.map { $0["message"]?.string ?? "" })")
            let modelLines = lines.filter { $0["message"]?.string?.hasPrefix("MODEL | Requested: claude-") == true }
            #expect(modelLines.count == 6)
            #expect(modelLines.allSatisfy { $0["log.level"]?.string == "debug" && $0["http.request.id"]?.string?.isEmpty == false })
            #expect(lines.contains { $0["message"]?.string?.hasPrefix("CLIENT_TELEMETRY | POST /api/event_logging/batch") == true })
        }
    }

    @Test func anAliasCycleStopsVdmServeNamingTheVariables() async throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("vdm-alias-cycle-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        let child = try ChildProcess.start(ServeProcessTests.binary, ["serve", "--port", "0"], env: [
            "OPENAI_API_KEY": "sk-cycle-0123456789abcdefghij", "OPENAI_ALIAS_SONNET": "opus", "OPENAI_ALIAS_OPUS": "sonnet",
        ], output: log)
        #expect(try await child.exitStatus(within: .seconds(60)) == 78)
        let text = try String(contentsOfFile: log, encoding: .utf8)
        #expect(text.contains("vdm: configuration error: OPENAI_ALIAS_OPUS: aliases form a cycle: OPENAI_ALIAS_OPUS → OPENAI_ALIAS_SONNET → OPENAI_ALIAS_OPUS"), "\(text)")
    }
}
