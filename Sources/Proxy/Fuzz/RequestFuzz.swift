/// The proxy's request path on arbitrary bodies: the JSON reader (`JSONValue.parse`), the top-level
/// scanner the passthrough uses (`JSONTopLevel`), the request statistics and the Anthropic→OpenAI
/// converter, as `MessagesHandler` and the forwarders call them.
enum RequestFuzz {
    /// JSON reader properties: what parses serializes to text that parses to the same value (and
    /// serializes to the same bytes); the top-level scanner accepts an object exactly when the parser
    /// does, with the same number of members, and rewriting `model` keeps it valid.
    static func runJSON(_ data: [UInt8]) throws(FuzzViolation) {
        let members = try? JSONTopLevel.members(of: data)
        guard let value = try? JSONValue.parse(data) else {
            if members != nil { throw FuzzViolation("the top-level scanner accepted a body the parser rejects") }
            return
        }
        let text = value.serialized()
        guard let again = try? JSONValue.parse(text), again == value, again.serialized() == text else {
            throw FuzzViolation("serialize/parse round trip changed \(String(decoding: text.prefix(300), as: UTF8.self))")
        }
        guard case .object(let pairs) = value else {
            if members != nil { throw FuzzViolation("the top-level scanner accepted a non-object") }
            return
        }
        guard members?.count == pairs.count else {
            throw FuzzViolation("the top-level scanner saw \(members?.count ?? -1) members, the parser \(pairs.count)")
        }
        if let rewritten = try? JSONTopLevel.replacingModel(in: data, with: "m"),
           (try? JSONValue.parse(rewritten))?["model"] != "m" {
            throw FuzzViolation("replacingModel produced a body whose model is not the new one")
        }
    }

    /// Converter properties: it either throws a `ConversionError` or returns an object whose `model`
    /// is the upstream model, whose `messages` is an array, and which serializes to valid JSON.
    static func runConvert(_ data: [UInt8]) throws(FuzzViolation) {
        guard let body = try? JSONValue.parse(data), case .object = body else { return }
        let stats = AnthropicRequestStats(body)
        _ = try? JSONTopLevel.scan(data)
        guard let converted = try? AnthropicToOpenAIRequest.convert(body, upstreamModel: "upstream-model", stream: stats.stream) else {
            return
        }
        guard converted["model"] == "upstream-model", converted["messages"]?.array != nil else {
            throw FuzzViolation("converted request lacks model or messages")
        }
        guard (try? JSONValue.parse(converted.serialized())) == converted else {
            throw FuzzViolation("converted request does not serialize to itself")
        }
    }
}
