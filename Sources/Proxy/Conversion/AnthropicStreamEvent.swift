/// An Anthropic streaming event: the SSE event name and its JSON payload.
struct AnthropicStreamEvent: Sendable, Equatable {
    var name: String
    var data: JSONValue

    init(_ name: String, _ data: JSONValue) {
        self.name = name
        self.data = data
    }

    /// `event: NAME\ndata: <compact json>\n\n`.
    var bytes: [UInt8] { SSEEncoder.event(name, data) }
}
