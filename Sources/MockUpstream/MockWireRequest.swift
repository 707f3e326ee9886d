// The parts of an Anthropic Messages or OpenAI Chat Completions request body that the mock
// upstream reads. One lenient model serves both formats: a field of an unexpected type is ignored
// instead of failing the request (only a body that is not a JSON object with a `messages` array is
// rejected).

package import Foundation

/// Text content: a plain string or a list of blocks / parts.
package enum MockWireContent: Decodable, Sendable {
    case text(String)
    case blocks([MockWireBlock])

    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let string = try? container.decode(String.self) {
            self = .text(string)
        } else if let blocks = try? container.decode([MockWireBlock].self) {
            self = .blocks(blocks)
        } else {
            self = .blocks([])
        }
    }
}

/// Marks that a key is present with a non-null value, whatever the value is.
struct MockWirePresence: Decodable, Sendable {
    init(from decoder: any Decoder) throws {}
}

/// An Anthropic content block or an OpenAI content part. Only text-bearing fields are read.
package struct MockWireBlock: Decodable, Sendable {
    var type: String?
    /// `text` blocks / parts.
    var text: String?
    /// `tool_result` content (string or blocks).
    var content: MockWireContent?
    var hasCacheControl: Bool

    enum CodingKeys: String, CodingKey {
        case type, text, content
        case cacheControl = "cache_control"
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = (try? c.decodeIfPresent(String.self, forKey: .type)) ?? nil
        text = (try? c.decodeIfPresent(String.self, forKey: .text)) ?? nil
        content = (try? c.decodeIfPresent(MockWireContent.self, forKey: .content)) ?? nil
        hasCacheControl = ((try? c.decodeIfPresent(MockWirePresence.self, forKey: .cacheControl)) ?? nil) != nil
    }
}

package struct MockWireMessage: Decodable, Sendable {
    package var role: String
    package var content: MockWireContent?

    enum CodingKeys: String, CodingKey { case role, content }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        role = (try? c.decodeIfPresent(String.self, forKey: .role)) ?? "user"
        content = (try? c.decodeIfPresent(MockWireContent.self, forKey: .content)) ?? nil
    }
}

/// Anthropic `{"name": …}` or OpenAI `{"type": "function", "function": {"name": …}}`.
package struct MockWireTool: Decodable, Sendable {
    package var name: String
    var hasCacheControl: Bool

    enum CodingKeys: String, CodingKey {
        case name, function
        case cacheControl = "cache_control"
    }

    struct Function: Decodable, Sendable { var name: String? }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let direct = (try? c.decodeIfPresent(String.self, forKey: .name)) ?? nil
        let function = (try? c.decodeIfPresent(Function.self, forKey: .function)) ?? nil
        name = direct ?? function?.name ?? "tool"
        hasCacheControl = ((try? c.decodeIfPresent(MockWirePresence.self, forKey: .cacheControl)) ?? nil) != nil
    }
}

/// Anthropic `{"type": auto|any|none|tool, "name"?, "disable_parallel_tool_use"?}` or OpenAI
/// `"auto"|"none"|"required"` / `{"type": "function", "function": {"name"}}`.
package struct MockWireToolChoice: Decodable, Sendable {
    package enum Mode: Sendable, Equatable {
        case auto
        case none
        case required
        case forced(String)
    }

    package var mode: Mode
    var disableParallel: Bool

    enum CodingKeys: String, CodingKey {
        case type, name, function
        case disableParallel = "disable_parallel_tool_use"
    }

    package init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let string = try? single.decode(String.self) {
            mode = Self.mode(type: string, name: nil)
            disableParallel = false
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = (try? c.decodeIfPresent(String.self, forKey: .type)) ?? nil
        var name = (try? c.decodeIfPresent(String.self, forKey: .name)) ?? nil
        if name == nil, let function = (try? c.decodeIfPresent(MockWireTool.Function.self, forKey: .function)) ?? nil {
            name = function.name
        }
        mode = Self.mode(type: type ?? "auto", name: name)
        disableParallel = ((try? c.decodeIfPresent(Bool.self, forKey: .disableParallel)) ?? nil) ?? false
    }

    private static func mode(type: String, name: String?) -> Mode {
        switch type {
        case "none": return .none
        case "any", "required": return .required
        case "tool", "function": return name.map { .forced($0) } ?? .required
        default: return .auto
        }
    }
}

package struct MockWireRequest: Decodable, Sendable {
    package var model: String?
    package var maxTokens: Int?
    package var stream: Bool
    var includeUsage: Bool
    var system: MockWireContent?
    package var messages: [MockWireMessage]
    package var tools: [MockWireTool]
    package var toolChoice: MockWireToolChoice?
    var parallelToolCalls: Bool?
    /// Anthropic `stop_sequences` or OpenAI `stop` (string or list).
    package var stopSequences: [String]

    enum CodingKeys: String, CodingKey {
        case model, stream, system, messages, tools, stop
        case stopSequences = "stop_sequences"
        case maxTokens = "max_tokens"
        case maxCompletionTokens = "max_completion_tokens"
        case streamOptions = "stream_options"
        case toolChoice = "tool_choice"
        case parallelToolCalls = "parallel_tool_calls"
    }

    struct StreamOptions: Decodable, Sendable {
        var includeUsage: Bool?
        enum CodingKeys: String, CodingKey { case includeUsage = "include_usage" }
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        model = (try? c.decodeIfPresent(String.self, forKey: .model)) ?? nil
        let maxCompletion = Self.lenientInt(c, .maxCompletionTokens)
        maxTokens = maxCompletion ?? Self.lenientInt(c, .maxTokens)
        stream = ((try? c.decodeIfPresent(Bool.self, forKey: .stream)) ?? nil) ?? false
        let options = (try? c.decodeIfPresent(StreamOptions.self, forKey: .streamOptions)) ?? nil
        includeUsage = options?.includeUsage ?? false
        system = (try? c.decodeIfPresent(MockWireContent.self, forKey: .system)) ?? nil
        messages = try c.decode([MockWireMessage].self, forKey: .messages)
        tools = ((try? c.decodeIfPresent([MockWireTool].self, forKey: .tools)) ?? nil) ?? []
        toolChoice = (try? c.decodeIfPresent(MockWireToolChoice.self, forKey: .toolChoice)) ?? nil
        parallelToolCalls = (try? c.decodeIfPresent(Bool.self, forKey: .parallelToolCalls)) ?? nil
        if let list = (try? c.decodeIfPresent([String].self, forKey: .stopSequences)) ?? nil {
            stopSequences = list
        } else if let list = (try? c.decodeIfPresent([String].self, forKey: .stop)) ?? nil {
            stopSequences = list
        } else if let single = (try? c.decodeIfPresent(String.self, forKey: .stop)) ?? nil {
            stopSequences = [single]
        } else {
            stopSequences = []
        }
    }

    private static func lenientInt(_ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) -> Int? {
        if let value = (try? c.decodeIfPresent(Int.self, forKey: key)) ?? nil {
            return value
        }
        if let value = (try? c.decodeIfPresent(Double.self, forKey: key)) ?? nil, value.isFinite,
            value > -1e9, value < 1e9
        {
            return Int(value)
        }
        return nil
    }

    package static func decode(_ bytes: Data) throws -> MockWireRequest {
        try JSONDecoder().decode(MockWireRequest.self, from: bytes)
    }
}
