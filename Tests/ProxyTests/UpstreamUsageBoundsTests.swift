import Foundation
import LogPipeline
import Testing
import VDMProxy

/// Invariant: no arithmetic trap is reachable from an upstream's usage, and a usage outside
/// `RecordBounds` (huge, negative, not an integer) is an `upstream_bad_usage` failure whose tokens
/// are never summed — one rule for the OpenAI and the Anthropic format, streaming or not.
@Suite struct UpstreamUsageBoundsTests {
    static let openAIText = #"{"id":"c1","object":"chat.completion","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":USAGE}"#
    static let anthropicText = #"{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[{"type":"text","text":"hi"}],"stop_reason":"end_turn","usage":USAGE}"#

    static func openAIStream(usage: String) -> [String] {
        [
            #"data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":"hello"},"finish_reason":null}]}"# + "\n\n",
            #"data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"# + "\n\n",
            #"data: {"id":"c","object":"chat.completion.chunk","choices":[],"usage":\#(usage)}"# + "\n\ndata: [DONE]\n\n",
        ]
    }

    static func anthropicStream(startUsage: String) -> [String] {
        [
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"m\",\"content\":[],\"usage\":\(startUsage)}}\n\n",
            "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"hello\"}}\n\n",
            "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
            "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":3}}\n\n",
            "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
        ]
    }

    /// Each case: the model the request names (the scripted upstream keys its reply on the name
    /// without the provider prefix) and the reply.
    static let cases: [(model: String, stream: Bool, reply: UpstreamScript)] = [
        ("anthropic:an-int64-max", false, json(anthropicText.replacingOccurrences(of: "USAGE", with: #"{"input_tokens":9223372036854775807,"cache_read_input_tokens":5,"output_tokens":1}"#))),
        ("anthropic:an-negative", false, json(anthropicText.replacingOccurrences(of: "USAGE", with: #"{"input_tokens":10,"output_tokens":-5}"#))),
        ("anthropic:an-float", false, json(anthropicText.replacingOccurrences(of: "USAGE", with: #"{"input_tokens":10.5,"output_tokens":1}"#))),
        ("anthropic:an-string", false, json(anthropicText.replacingOccurrences(of: "USAGE", with: #"{"input_tokens":"10","output_tokens":1}"#))),
        ("openai:oa-huge-1", false, json(openAIText.replacingOccurrences(of: "USAGE", with: #"{"prompt_tokens":5000000000000000000,"completion_tokens":1}"#))),
        ("openai:oa-huge-2", false, json(openAIText.replacingOccurrences(of: "USAGE", with: #"{"prompt_tokens":5000000000000000000,"completion_tokens":1}"#))),
        ("openai:oa-negative", false, json(openAIText.replacingOccurrences(of: "USAGE", with: #"{"prompt_tokens":10,"completion_tokens":-1}"#))),
        ("openai:oa-cached-over-prompt", false, json(openAIText.replacingOccurrences(of: "USAGE", with: #"{"prompt_tokens":10,"completion_tokens":1,"prompt_tokens_details":{"cached_tokens":11}}"#))),
        ("openai:oa-stream-huge", true, sse(openAIStream(usage: #"{"prompt_tokens":4294967297,"completion_tokens":2}"#))),
        ("anthropic:an-stream-huge", true, sse(anthropicStream(startUsage: #"{"input_tokens":9223372036854775807,"output_tokens":1}"#))),
        ("anthropic:an-stream-string", true, sse(anthropicStream(startUsage: #"{"input_tokens":"12","output_tokens":1}"#))),
        ("openai:oa-stream-float", true, sse(openAIStream(usage: #"{"prompt_tokens":7.5,"completion_tokens":2}"#))),
    ]

    static func json(_ text: String) -> UpstreamScript { UpstreamScript(contentType: "application/json", chunks: [Array(text.utf8)]) }
    static func sse(_ pieces: [String]) -> UpstreamScript { UpstreamScript(chunks: pieces.map { Array($0.utf8) }) }

    static let good: UpstreamScript = json(openAIText.replacingOccurrences(of: "USAGE", with: #"{"prompt_tokens":7,"completion_tokens":3}"#))

    @Test func outOfBoundsUsageIsAClassifiedFailureAndNeverSummed() async throws {
        var scripts = ["good": Self.good]
        for c in Self.cases { scripts[String(c.model.split(separator: ":", maxSplits: 1)[1])] = c.reply }
        try await ScriptedUpstream.with(scripts) { baseURL in
            let env = ["OPENAI_BASE_URL": baseURL + "/v1", "ANTHROPIC_BASE_URL": baseURL]
            try await E2E.run(env: env) { e2e in
                for c in Self.cases {
                    let reply = try await e2e.post(body: anthropicBody(model: c.model, stream: c.stream))
                    if c.stream {
                        #expect(reply.status == 200, "\(c.model)")
                        let names = try reply.events().map(\.0)
                        #expect(names.last == "error", "\(c.model): the client is told the stream's usage is unusable: \(names)")
                    } else {
                        #expect(reply.status == 502, "\(c.model): \(reply.text)")
                        let json = try reply.json()
                        #expect(json["type"]?.string == "error", "\(c.model)")
                        #expect(json["error"]?["type"]?.string == "api_error", "\(c.model)")
                        #expect(json["error"]?["message"]?.string?.contains("unusable token usage") == true, "\(c.model): \(reply.text)")
                    }
                }
                // The process is alive and sums a good reply as usual.
                let ok = try await e2e.post(body: anthropicBody(model: "openai:good"))
                #expect(ok.status == 200)
                let done = try await e2e.completed(count: Self.cases.count + 1)
                #expect(done.count == Self.cases.count + 1)
                for m in done where m.resolvedModel != "good" {
                    #expect(m.errorType == "upstream_bad_usage", "\(m.resolvedModel): \(m.errorType ?? "nil") \(m.error ?? "")")
                    #expect(m.inputTokens == 0 && m.outputTokens == 0 && m.cacheReadTokens == 0 && m.cacheCreationTokens == 0, "\(m.resolvedModel)")
                }
                let totals = await e2e.proxy.tracker.runningTotals(includeActive: false).summary
                #expect(totals.requests == Self.cases.count + 1)
                #expect(totals.errors == Self.cases.count)
                // Only the good reply's tokens: 7 in, 3 out (hand-written, from the script above).
                #expect(totals.inputTokens == 7)
                #expect(totals.outputTokens == 3)
                #expect(totals.cacheReadTokens == 0)
            }
        }
    }
}
