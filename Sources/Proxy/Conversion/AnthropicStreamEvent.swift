/// An Anthropic streaming event: the SSE event name and its JSON payload.
package struct AnthropicStreamEvent: Sendable, Equatable {
    package var name: String
    package var data: JSONValue

    package init(_ name: String, _ data: JSONValue) {
        self.name = name
        self.data = data
    }

    /// `event: NAME\ndata: <compact json>\n\n`.
    package var bytes: [UInt8] { SSEEncoder.event(name, data) }
}
