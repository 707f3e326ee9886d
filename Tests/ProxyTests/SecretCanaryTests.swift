import AsyncHTTPClient
import Foundation
import LogPipeline
import NIOCore
import NIOHTTP1
import Testing
import VDMProxy
import VDMDemo
import VDMBench

/// Canary keys of every shape, configured in a real `vdm serve` and echoed back by a careless
/// upstream in error bodies, streams, content, model names and stop reasons; clients put them in
/// model names and `x-request-id`. Then every output — the client's responses, console, JSON file,
/// journald and syslog (under scripts/with-journald), `/health` and every `/metrics*` view and its
/// stream — is searched for each key and for every 12-character piece of it: zero hits. Live
/// totals equal replay byte for byte with those secret-shaped model names.
@Suite(.serialized) struct SecretCanaryTests {
    /// One random key per shape: real provider prefixes and a shapeless one.
    struct Keys {
        var openai, anthropic, gemini, groq, acme, proxy: String

        init(seed: UInt64) {
            var rng = SplitMix64(state: seed)
            func random(_ n: Int, _ alphabet: String) -> String {
                let chars = Array(alphabet)
                return String((0..<n).map { _ in chars[rng.below(chars.count)] })
            }
            let base62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
            openai = "sk-proj-" + random(48, base62 + "_-")
            anthropic = "sk-ant-api03-" + random(40, base62 + "_-")
            gemini = "AIzaSy" + random(33, base62 + "_-")
            groq = "gsk_" + random(52, base62)
            acme = random(40, "0123456789abcdef")
            proxy = random(32, base62)
        }

        var all: [String] { [openai, anthropic, gemini, groq, acme, proxy] }
        /// (provider, its key)
        var providers: [(String, String)] { [("openai", openai), ("anthropic", anthropic), ("gemini", gemini), ("groq", groq), ("acme", acme)] }
    }

    static func marker(_ key: String) -> String { "[redacted:\(SecretHash.short(key))]" }

    /// Every 12-character piece of `key` found in `text` (the whole key for shorter ones).
    static func leaks(of key: String, in text: String) -> [String] {
        let chars = Array(key)
        guard chars.count >= 12 else { return text.contains(key) ? [key] : [] }
        return (0...(chars.count - 12)).map { String(chars[$0..<($0 + 12)]) }.filter { text.contains($0) }
    }

    /// An HTTP exchange, headers included, as text.
    struct Exchange: Sendable {
        var what: String
        var status: Int
        var text: String
    }

    static func exchange(_ what: String, _ url: String, method: HTTPMethod = .GET, headers: [(String, String)] = [], body: [UInt8]? = nil) async throws -> Exchange {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        var buffer = try await response.body.collect(upTo: 16 << 20)
        let head = response.headers.map { "\($0.name): \($0.value)" }.joined(separator: "\n")
        return Exchange(what: what, status: Int(response.status.code), text: head + "\n\n" + (buffer.readString(length: buffer.readableBytes) ?? ""))
    }

    /// Reads a streamed GET until `done` holds for what arrived, or the deadline passes.
    static func readStream(_ url: String, headers: [(String, String)], until done: @Sendable (String) -> Bool, deadline: Duration) async throws -> String {
        var request = HTTPClientRequest(url: url)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let end = ContinuousClock.now + deadline
        var text = ""
        for try await chunk in response.body {
            text += String(buffer: chunk)
            if done(text) || ContinuousClock.now > end { break }
        }
        return text
    }

    /// Polls `url` until `done` holds, or fails after `deadline`.
    static func poll(_ url: String, headers: [(String, String)], deadline: Duration, until done: (String) -> Bool) async throws -> Exchange {
        let end = ContinuousClock.now + deadline
        while true {
            let reply = try await exchange(url, url, headers: headers)
            if done(reply.text) { return reply }
            guard ContinuousClock.now < end else { throw TestFailure("\(url) never reached the expected state: \(reply.text)") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    @Test func noConfiguredKeyLeavesThroughAnyOutput() async throws {
        #expect(FileManager.default.isExecutableFile(atPath: ServeProcessTests.binary), "build the vdm product first (swift build)")
        let seed = ProcessInfo.processInfo.environment["VDM_CANARY_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 0...UInt64(UInt32.max))
        print("SecretCanaryTests seed \(seed) (VDM_CANARY_SEED=\(seed) reproduces)")
        let keys = Keys(seed: seed)
        let journal: String? = try PrivateJournal.require()
        try await EchoKeyUpstream.with { upstream, upstreamPort in
            let echo = "http://127.0.0.1:\(upstreamPort)"
            let port = try await ServerPorts.free()
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vdm-canary-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let json = dir + "/canary.jsonl"
            let env = [
                "OPENAI_API_KEY": keys.openai, "OPENAI_BASE_URL": echo + "/v1",
                "ANTHROPIC_API_KEY": keys.anthropic, "ANTHROPIC_BASE_URL": echo,
                "GEMINI_API_KEY": keys.gemini, "GEMINI_BASE_URL": echo + "/v1",
                "GROQ_API_KEY": keys.groq, "GROQ_BASE_URL": echo + "/v1",
                "ACME_API_KEY": keys.acme, "ACME_BASE_URL": echo, "ACME_API_FORMAT": "anthropic",
                "PROXY_API_KEY": keys.proxy, "VDM_DEFAULT_PROVIDER": "openai",
                "LOG_SUMMARY_INTERVAL": "9", "REQUEST_TIMEOUT": "30", "LOG_LEVEL": "DEBUG",
                "VDM_ACTIVE_REQUESTS_SSE_INTERVAL": "0.1",
            ]
            // No syslog target: RealJournaldTests owns /dev/log while it runs (in parallel); syslog lines
            // go through the same redactor (LogTargetSelection), and journald falls back to syslog.
            let targets = journal != nil ? "console,journald,json:\(json)" : "console,json:\(json)"
            let child = try ChildProcess.start(ServeProcessTests.binary, ["serve", "--port", String(port), "--log-target", targets],
                                               env: env, output: dir + "/console.log")
            defer { child.stop() }
            let base = "http://127.0.0.1:\(port)"
            try await ProxyBench.waitUntilUp(base + "/health")
            let auth = [("x-api-key", keys.proxy)]
            var outputs: [Exchange] = []
            var tracked = 0

            func post(_ model: String, stream: Bool, path: String = "/v1/messages", headers: [(String, String)] = auth) async throws -> Exchange {
                if path == "/v1/messages" { tracked += 1 }
                let reply = try await Self.exchange("POST \(path) \(model) stream=\(stream)", base + path, method: .POST, headers: headers,
                                                    body: anthropicBody(model: EchoKeyUpstream.quoted(model), text: "hi", stream: stream))
                outputs.append(reply)
                return reply
            }

            // Upstream echoes, per provider and behaviour; the client must see the key's marker, not the key.
            let behaviours = ["echo-status-401", "echo-status-403", "echo-status-400", "echo-status-429", "echo-status-500",
                              "echo-status-529", "echo-long", "echo-text", "echo-content", "echo-stop", "plain"]
            for (provider, key) in keys.providers {
                for behaviour in behaviours {
                    for stream in [false, true] {
                        let reply = try await post("\(provider):\(behaviour)", stream: stream)
                        if behaviour.hasPrefix("echo-status") || behaviour == "echo-long" || behaviour == "echo-content" {
                            #expect(reply.text.contains(Self.marker(key)), "\(reply.what): the echo should arrive redacted: \(reply.text)")
                        }
                    }
                }
                let failed = try await post("\(provider):echo-stream-error", stream: true)
                #expect(failed.text.contains("event: error"), "\(failed.what): \(failed.text)")
                #expect(failed.text.contains(Self.marker(key)), "\(failed.what): \(failed.text)")
                // count_tokens: forwarded (Anthropic format) or estimated (OpenAI format).
                for behaviour in ["echo-status-401", "echo-long", "plain"] {
                    _ = try await post("\(provider):\(behaviour)", stream: false, path: "/v1/messages/count_tokens")
                }
            }
            // Secret-shaped model names, with and without a provider prefix, and as x-request-id.
            for key in keys.all {
                for (provider, _) in keys.providers {
                    _ = try await post("\(provider):\(key)", stream: provider.count % 2 == 0)
                }
                _ = try await post(key, stream: false)
                _ = try await post("openai:plain", stream: true, headers: auth + [("x-request-id", key)])
                _ = try await post("anthropic:\(key)", stream: false, path: "/v1/messages/count_tokens", headers: auth + [("x-request-id", key)])
            }
            // Wrong keys are refused; the refusal must not repeat them.
            for key in [keys.openai, keys.gemini] {
                outputs.append(try await Self.exchange("wrong x-api-key", base + "/v1/messages", method: .POST, headers: [("x-api-key", key)],
                                                       body: anthropicBody(model: "openai:plain")))
                outputs.append(try await Self.exchange("wrong bearer", base + "/metrics/running-totals", headers: [("authorization", "Bearer \(key)")]))
                outputs.append(try await Self.exchange("wrong ?key=", base + "/metrics/logs?key=\(key)"))
            }
            #expect(outputs.filter { $0.what.hasPrefix("wrong") }.allSatisfy { $0.status == 401 })

            // In flight: a slow stream with a secret-shaped model, seen by the live views.
            let slowModel = "gemini:\(keys.gemini)echo-slow"
            tracked += 1
            async let slow = Self.exchange("slow stream", base + "/v1/messages", method: .POST, headers: auth,
                                           body: anthropicBody(model: slowModel, text: "hi", stream: true))
            let streamed = try await Self.readStream(base + "/metrics/active-requests/stream", headers: auth,
                                                     until: { $0.contains(Self.marker(keys.gemini)) }, deadline: .seconds(10))
            #expect(streamed.contains(Self.marker(keys.gemini)), "\(streamed)")
            outputs.append(Exchange(what: "/metrics/active-requests/stream", status: 200, text: streamed))
            let active = try await Self.poll(base + "/metrics/active-requests", headers: auth, deadline: .seconds(10)) { $0.contains(Self.marker(keys.gemini)) }
            outputs.append(active)
            let slowReply = try await slow
            #expect(slowReply.status == 200)
            outputs.append(slowReply)

            // Every view, once nothing is in flight.
            _ = try await Self.poll(base + "/metrics/active-requests", headers: auth, deadline: .seconds(10)) { $0.contains(#""active_requests":[]"#) }
            let live = try await Self.exchange("/metrics/running-totals?include_active=false", base + "/metrics/running-totals?include_active=false", headers: auth)
            let prometheus = try await Self.exchange("/metrics", base + "/metrics", headers: auth)
            outputs += [live, prometheus]
            for path in ["/health", "/metrics/running-totals", "/metrics/active-requests", "/metrics/logs", "/metrics/logs?limit_errors=1000&limit_traces=2000",
                         "/metrics/running-totals?model=*\(keys.groq)*", "/nonexistent"] {
                outputs.append(try await Self.exchange(path, base + path, headers: auth))
            }
            let upstreamSaw = upstream.credentials
            #expect(Set(upstreamSaw).isSubset(of: Set(keys.providers.map(\.1))), "only provider keys go upstream")
            #expect(!upstreamSaw.contains(keys.proxy))

            #expect(try await child.stop(timeout: .seconds(60)) == 0)
            let jsonLog = try String(contentsOfFile: json, encoding: .utf8)
            let console = try String(contentsOfFile: dir + "/console.log", encoding: .utf8)
            #expect(jsonLog.contains(Self.marker(keys.groq)), "the JSON log should show the echoed key's marker")
            #expect(console.contains("Shutdown complete"))
            outputs.append(Exchange(what: "JSON log", status: 0, text: jsonLog))
            outputs.append(Exchange(what: "console", status: 0, text: console))
            if let journal {
                let entries = try await Self.journalEntries(directory: journal, pid: child.process.processIdentifier)
                #expect(entries.contains("_PID=\(child.process.processIdentifier)"), "journald should carry the records")
                outputs.append(Exchange(what: "journal (journald and syslog)", status: 0, text: entries))
            }

            for output in outputs {
                for key in keys.all {
                    let pieces = Self.leaks(of: key, in: output.text)
                    #expect(pieces.isEmpty, "seed \(seed): \(output.what) shows \(pieces.count) pieces of a configured key, e.g. \(pieces.first ?? "")")
                }
            }

            // Live equals replay, byte for byte but the Generated line, with secret-shaped model names.
            let liveBody = String(live.text[live.text.range(of: "\n\n")!.upperBound...])
            let replayed = try await Replay.totalsDocument(paths: [json], format: .yaml)
            #expect(TotalsFormat.yaml.comparable(replayed) == TotalsFormat.yaml.comparable(liveBody))
            #expect(replayed.contains("total_requests: \(tracked)\n"), "\(replayed.prefix(400))")
            let (_, exposition) = try await ReplayExposition.run(paths: [json])
            let liveExposition = String(prometheus.text[prometheus.text.range(of: "\n\n")!.upperBound...])
            #expect(exposition == ExpositionOrder.removing(families: MetricNames.processFamilies, from: liveExposition))
        }
    }

    /// This process's journal entries in export format, which prints every field's bytes; waits
    /// until its shutdown line is stored, or returns what is there after 15 s (RealJournaldTests,
    /// running in parallel, may stop journald for a while: this process then falls back).
    static func journalEntries(directory: String, pid: Int32) async throws -> String {
        let end = ContinuousClock.now + .seconds(15)
        while true {
            let out = FileManager.default.temporaryDirectory.appendingPathComponent("vdm-canary-journal-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: out) }
            let child = try ChildProcess.start("/usr/bin/journalctl", ["--directory", directory, "-o", "export", "_PID=\(pid)"], env: [:], output: out)
            _ = try await child.exitStatus(within: .seconds(30))
            let text = String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: out))) ?? Data(), as: UTF8.self)
            if text.contains("Shutdown complete") || ContinuousClock.now >= end { return text }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
