import Foundation

/// The mixed traffic `vdm demo` (and the end-to-end tests) send through the proxy: both provider
/// formats, streaming and not, tools, cache hits, and a few failures of different kinds. Directives
/// like `mock:status=500` in the message text steer the mock upstream (the proxy forwards text as is).
struct DemoRequest: Sendable {
    var label: String
    var body: [UInt8]
    var stream: Bool
    var expectedStatus: Int
}

enum DemoWorkload {
    static let tools = #"[{"name":"get_weather","description":"Weather for a city","input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}]"#

    static func body(model: String, text: String, stream: Bool, tools: Bool = false, system: String? = "You are a helpful assistant.", maxTokens: Int = 256) -> [UInt8] {
        var json = #"{"model":"\#(model)","max_tokens":\#(maxTokens)"#
        if let system { json += #","system":"\#(system)""# }
        json += #","messages":[{"role":"user","content":"\#(text)"}]"#
        if tools { json += #","tools":\#(Self.tools)"# }
        if stream { json += #","stream":true"# }
        json += "}"
        return Array(json.utf8)
    }

    /// `count` requests, deterministic for a given count (the i-th request is always the same).
    static func requests(count: Int) -> [DemoRequest] {
        (0..<count).map { request($0) }
    }

    static func request(_ i: Int) -> DemoRequest {
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
            return DemoRequest(label: "tool call", body: body(model: model, text: "\(words) mock:tool", stream: stream, tools: true), stream: stream, expectedStatus: 200)
        case 19:
            return DemoRequest(label: "invalid request", body: Array(#"{"model":"openai:gpt-4o","messages":"not a list"}"#.utf8), stream: false, expectedStatus: 400)
        default:
            let cache = i % 4 == 1 ? " mock:cache=\(8 + i % 5)" : ""
            let tools = i % 6 == 5
            return DemoRequest(label: tools ? "tools defined" : "ok", body: body(model: model, text: words + cache, stream: stream, tools: tools), stream: stream, expectedStatus: 200)
        }
    }
}
