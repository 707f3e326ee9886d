import Foundation

/// The mixed traffic `vdm demo` (and the end-to-end tests) send through the proxy: both provider
/// formats, streaming and not, tools (defined, called, finished round trips), cache reads and writes,
/// and a few failures of different kinds. Directives like `mock:status=500` in the message text steer
/// the mock upstream (the proxy forwards text as is).
package struct DemoRequest: Sendable {
    package var label: String
    package var body: [UInt8]
    package var stream: Bool
    package var expectedStatus: Int
    /// The client's own `x-request-id`, sent by some requests (kept as `vdm.client_request_id`).
    package var clientRequestID: String?
}

package enum DemoWorkload {
    package static let tools = #"[{"name":"get_weather","description":"Weather for a city","input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}]"#

    package static func body(model: String, text: String, stream: Bool, tools: Bool = false, system: String? = "You are a helpful assistant.",
                     maxTokens: Int = 256, toolRoundTrip: String? = nil) -> [UInt8] {
        var json = #"{"model":"\#(model)","max_tokens":\#(maxTokens)"#
        if let system { json += #","system":"\#(system)""# }
        json += #","messages":"# + (toolRoundTrip.map { history(id: $0, text: text) } ?? #"[{"role":"user","content":"\#(text)"}]"#)
        if tools { json += #","tools":\#(Self.tools)"# }
        if stream { json += #","stream":true"# }
        json += "}"
        return Array(json.utf8)
    }

    /// A conversation after a finished tool round trip: the model's `tool_use`, the client's
    /// `tool_result`, then the user's text (counted as `tool_uses` and `tool_results`).
    package static func history(id: String, text: String) -> String {
        #"[{"role":"user","content":"What is the weather?"},"#
            + #"{"role":"assistant","content":[{"type":"tool_use","id":"\#(id)","name":"get_weather","input":{"city":"Lyon"}}]},"#
            + #"{"role":"user","content":[{"type":"tool_result","tool_use_id":"\#(id)","content":"Sunny, 21 C"},{"type":"text","text":"\#(text)"}]}]"#
    }

    /// `count` requests, deterministic for a given count (the i-th request is always the same).
    package static func requests(count: Int) -> [DemoRequest] {
        (0..<count).map { i in
            var r = request(i)
            // Some clients send their own id; two of them reuse one, as real clients do.
            if i % 10 == 4 { r.clientRequestID = "demo-client-\(i % 20)" }
            return r
        }
    }

    package static func request(_ i: Int) -> DemoRequest {
        let stream = i % 2 == 0
        let model = i % 3 == 0 ? "anthropic:claude-sonnet-4" : (i % 5 == 0 ? "openai:gpt-4o-mini" : "openai:gpt-4o")
        let words = "Tell me about request number \(i) and the weather in city \(i % 7)"
        switch i % 20 {
        case 3:
            return DemoRequest(label: "upstream 500", body: body(model: model, text: "\(words) mock:status=500", stream: stream), stream: stream, expectedStatus: 500)
        case 7:
            return DemoRequest(label: "rate limited", body: body(model: model, text: "\(words) mock:status=429", stream: stream), stream: stream, expectedStatus: 429)
        case 11:
            return DemoRequest(label: "stream cut", body: body(model: model, text: "\(words) mock:cut=3", stream: true), stream: true, expectedStatus: 200)
        case 13:
            return DemoRequest(label: "unknown provider", body: body(model: "nosuch:model-x", text: words, stream: stream), stream: stream, expectedStatus: 404)
        case 17:
            // i is odd here, so `stream` would never be set: every other tool call streams instead.
            let toolStream = (i / 20) % 2 == 1
            return DemoRequest(label: "tool call", body: body(model: model, text: "\(words) mock:tool", stream: toolStream, tools: true), stream: toolStream, expectedStatus: 200)
        case 19:
            return DemoRequest(label: "invalid request", body: Array(#"{"model":"openai:gpt-4o","messages":"not a list"}"#.utf8), stream: false, expectedStatus: 400)
        default:
            // Cache reads (both formats) and cache writes (reported by Anthropic-format upstreams only).
            let cache = i % 4 == 1 ? " mock:cache=\(8 + i % 5)" : (i % 4 == 2 ? " mock:cache_create=\(16 + i % 7)" : "")
            let roundTrip = i % 10 == 8
            let tools = roundTrip || i % 6 == 5
            let label = roundTrip ? "tool result" : (tools ? "tools defined" : "ok")
            return DemoRequest(label: label, body: body(model: model, text: words + cache, stream: stream, tools: tools,
                                                        toolRoundTrip: roundTrip ? "toolu_demo_\(i)" : nil),
                               stream: stream, expectedStatus: 200)
        }
    }
}
