import LogPipeline
import Testing
import VDMProxy

/// Anthropic-format upstream streams as raw bytes, and how many of their bytes a correct relay passes
/// on before it stops with an `event: error` (all of them for a valid stream).
struct AnthropicStreamCase: Sendable, CustomTestStringConvertible {
    var name: String
    var bytes: [UInt8]
    /// Bytes relayed unchanged: the whole stream, or the prefix before the first bad event.
    var relayed: Int
    /// A piece of the error the relay reports; nil for a valid stream.
    var problem: String?
    var testDescription: String { name }
}

enum AnthropicStreamCorpus {
    static func event(_ name: String, _ json: String) -> String { "event: \(name)\ndata: \(json)\n\n" }

    static let start = event("message_start", #"{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-x","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"cache_creation_input_tokens":3,"cache_read_input_tokens":7,"output_tokens":1}}}"#)
    static let textStart = event("content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#)
    static let textDelta = event("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Grüße 👋"}}"#)
    static let textStop = event("content_block_stop", #"{"type":"content_block_stop","index":0}"#)
    static let toolStart = event("content_block_start", #"{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{}}}"#)
    static let toolDelta = event("content_block_delta", #"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"city\":\"Lyon\"}"}}"#)
    static let toolStop = event("content_block_stop", #"{"type":"content_block_stop","index":1}"#)
    static let messageDelta = event("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":42}}"#)
    static let stop = event("message_stop", #"{"type":"message_stop"}"#)
    static let ping = event("ping", #"{"type":"ping"}"#)

    static func bytes(_ parts: [String]) -> [UInt8] { Array(parts.joined().utf8) }
    static func count(_ parts: [String]) -> Int { parts.joined().utf8.count }

    static let valid = [ping, start, ": keep-alive\n\n", textStart, ping, textDelta, textStop, toolStart, toolDelta, toolStop, messageDelta, stop]

    static let cases: [AnthropicStreamCase] = [
        AnthropicStreamCase(name: "valid stream with pings and comments", bytes: bytes(valid), relayed: count(valid), problem: nil),
        AnthropicStreamCase(
            name: "valid stream with CRLF line endings",
            bytes: Array(valid.joined().replacingOccurrences(of: "\n", with: "\r\n").utf8),
            relayed: valid.joined().replacingOccurrences(of: "\n", with: "\r\n").utf8.count, problem: nil
        ),
        AnthropicStreamCase(
            name: "non-JSON payload",
            bytes: bytes([start, textStart, "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"malfor\n\n", textStop]),
            relayed: count([start, textStart]), problem: "event payload is not JSON"
        ),
        AnthropicStreamCase(
            name: "delta for a block that is not open",
            bytes: bytes([start, textStart, textDelta, toolDelta, textStop, messageDelta, stop]),
            relayed: count([start, textStart, textDelta]), problem: "content_block_delta for block 1, which is not open"
        ),
        AnthropicStreamCase(
            name: "block before message_start",
            bytes: bytes([textStart, start]),
            relayed: 0, problem: "content_block_start before message_start"
        ),
        AnthropicStreamCase(
            name: "message_stop while a block is open",
            bytes: bytes([start, textStart, textDelta, stop]),
            relayed: count([start, textStart, textDelta]), problem: "message_stop while block 0 is open"
        ),
        AnthropicStreamCase(
            name: "missing message_stop",
            bytes: bytes([start, textStart, textDelta, textStop, messageDelta]),
            relayed: count([start, textStart, textDelta, textStop, messageDelta]), problem: "stream ended before message_stop"
        ),
    ]

    /// What the real inspector lets through for `bytes` cut at `cuts`, and whether it failed.
    static func inspect(_ bytes: [UInt8], cuts: [Int]) -> (relayed: [UInt8], inspector: AnthropicStreamInspector) {
        var inspector = AnthropicStreamInspector()
        var out: [UInt8] = []
        for chunk in UpstreamScript(bytes: bytes, cuts: cuts).chunks {
            out += inspector.feed(chunk)
            if inspector.failure != nil { break }
        }
        out += inspector.finish()
        return (out, inspector)
    }
}

/// Passthrough validation, unit level: the real inspector on every chunking of each stream.
@Suite("Anthropic passthrough streams are validated")
struct AnthropicPassthroughTests {
    @Test("relays exactly the valid prefix, whatever the chunking", arguments: AnthropicStreamCorpus.cases)
    func relayedPrefixIsIndependentOfChunking(_ c: AnthropicStreamCase) throws {
        let expected = Array(c.bytes.prefix(c.relayed))
        let whole = AnthropicStreamCorpus.inspect(c.bytes, cuts: [])
        let same = whole.relayed == expected
        #expect(same, "\(c.name)\n\(StreamChunkingTests.diff(whole.relayed, expected))")
        let failureText = whole.inspector.failure.map { "\($0)" }
        if let problem = c.problem, problem != "stream ended before message_stop" {
            #expect(failureText?.contains(problem) == true, "\(c.name): \(failureText ?? "no failure")")
        } else {
            #expect(failureText == nil, "\(c.name): \(failureText ?? "")")
            #expect(whole.inspector.tap.isComplete == (c.problem == nil))
        }
        for position in 1..<c.bytes.count {
            let cut = AnthropicStreamCorpus.inspect(c.bytes, cuts: [position])
            let same = cut.relayed == expected
            #expect(same, "\(c.name): cut at \(position)\n\(StreamChunkingTests.diff(cut.relayed, expected))")
            #expect((cut.inspector.failure == nil) == (whole.inspector.failure == nil))
            if cut.relayed != expected { return }
        }
        let seed = TestSeed.announced("relayedPrefix[\(c.name)]")
        var rng = SplitMix64(state: seed)
        for round in 0..<200 {
            let cuts = rng.cuts(count: c.bytes.count, maxCuts: 30)
            let cut = AnthropicStreamCorpus.inspect(c.bytes, cuts: cuts)
            let same = cut.relayed == expected
            #expect(same, "\(c.name): seed \(seed) round \(round) cuts \(cuts.sorted())\n\(StreamChunkingTests.diff(cut.relayed, expected))")
            if cut.relayed != expected { return }
        }
    }

    @Test func tapReadsTheValidStream() {
        let (_, inspector) = AnthropicStreamCorpus.inspect(AnthropicStreamCorpus.bytes(AnthropicStreamCorpus.valid), cuts: [7, 300])
        #expect(inspector.tap.usage == TokenUsage(inputTokens: 25, outputTokens: 42, cacheReadTokens: 7, cacheCreationTokens: 3))
        #expect(inspector.tap.toolUses == 1)
        #expect(inspector.tap.stopReason == "tool_use")
        #expect(inspector.tap.isComplete)
    }

    @Test func anEventLargerThanTheBoundIsHeldBackNotBuffered() {
        var inspector = AnthropicStreamInspector()
        let start = Array(AnthropicStreamCorpus.start.utf8)
        #expect(inspector.feed(start) == start)
        // An event that never ends: the inspector fails once it passes the parser's bound.
        let piece = [UInt8](repeating: UInt8(ascii: "x"), count: 1 << 20)
        var relayed = 0
        var fed = 0
        relayed += inspector.feed(Array("data: ".utf8)).count
        while inspector.failure == nil, fed <= SSEParser.defaultMaximumEventBytes + piece.count {
            relayed += inspector.feed(piece).count
            fed += piece.count
        }
        #expect(inspector.failure is SSEParserError)
        #expect(relayed == 0)
        #expect(fed <= SSEParser.defaultMaximumEventBytes + piece.count)
    }

    @Test func nonStreamingBodiesAreJudged() throws {
        func problem(_ text: String) throws -> ProxyError? {
            AnthropicForwarder.bodyProblem(try JSONValue.parse(text.utf8), raw: Array(text.utf8), provider: "anthropic", redactor: Redactor())
        }
        let overloaded = try problem(#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#)
        #expect(overloaded?.kind == .upstreamOverloaded)
        #expect(overloaded?.status == 529)
        #expect(overloaded?.message == "Upstream 'anthropic' returned an error with status 200 (overloaded_error): Overloaded")
        let api = try problem(#"{"type":"error","error":{"type":"api_error","message":"Internal server error"}}"#)
        #expect(api?.kind == .upstream5xx)
        #expect(api?.status == 500)
        #expect(api?.anthropicType == "api_error")
        #expect(try problem(#"{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}"#)?.kind == .upstreamRateLimited)
        #expect(try problem(#"{"id":"x"}"#)?.kind == .upstreamBadResponse)
        #expect(try problem(#"[1]"#)?.kind == .upstreamBadResponse)
        #expect(try problem(#"{"type":"message","content":"hi"}"#)?.kind == .upstreamBadResponse)
        // Usage values are judged by TokenUsage, one rule for both formats (upstream_bad_usage, UpstreamUsageBoundsTests).
        #expect(try problem(#"{"type":"message","content":[],"usage":{"input_tokens":1.5}}"#) == nil)
        #expect(try problem(#"{"type":"message","content":[{"type":"text","text":"ok"}],"usage":{"input_tokens":3,"output_tokens":1,"cache_creation_input_tokens":null}}"#) == nil)
    }
}
