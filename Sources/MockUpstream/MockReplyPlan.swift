// The deterministic part of the mock upstream: what it answers, as a pure function of the request.
//
// Token formula (same for both formats, so a request converted by the proxy yields the same numbers):
// - "Text pieces" are: the Anthropic `system` (string or text blocks); every message's string content;
//   every content block / part's `text`; `tool_result` content (string or its text blocks), for every
//   role. OpenAI system/developer/tool messages count like the others. Tool definitions, tool call
//   arguments / `tool_use` inputs, images and thinking blocks do not count.
// - input tokens (total) = max(1, unicode scalars of all text pieces / 4)
// - cache read = `mock:cache=N` clamped to the total, else half the total when any `cache_control` is
//   present (system blocks, content blocks, tools), else 0. Cache creation (Anthropic only) =
//   `mock:cache_create=N` clamped to what is left.
//   Anthropic: input_tokens = total − cache read − cache creation. OpenAI: prompt_tokens = total,
//   cached_tokens = cache read.
// - "last user text" = the text pieces of the trailing run of user/tool messages (trailing assistant
//   messages, i.e. a prefill, are skipped). snippet = its first 40 characters after collapsing
//   whitespace runs to one space.
// - reply text = words "Mock reply to: <snippet>" followed by filler words, in total
//   max(3 + words(snippet), min(256, 16 + scalars(last user text) / 8)) words, then cut to max_tokens
//   words (stop_reason max_tokens / finish_reason length). output tokens = number of words.
//   A stop sequence (`stop_sequences` / `stop`) found in that text ends it just before the earliest
//   match (stop_reason stop_sequence + stop_sequence / finish_reason stop); output tokens = max(1, words left).
// - tool call reply (tools defined, tool_choice not none, and `mock:tool`/`mock:tools=N` in the last
//   user text or tool_choice any/required/forced): N calls (default 1, 1 when parallel calls are
//   disabled, at most 16) of the forced tool or tools[i % count], arguments
//   `{"query": "<snippet>"}` (call i > 0: snippet + " (i+1)"); output tokens = Σ 5 + max(1, scalars(arguments)/4).

package enum MockWireFormat: String, Sendable {
    case openAI = "openai"
    case anthropic = "anthropic"
}

package struct MockToolCall: Sendable, Equatable {
    package var name: String
    /// The arguments / input as compact JSON text: `{"query": "…"}`.
    var argumentsJSON: String
}

package struct MockReplyPlan: Sendable {
    package var model: String
    package var stream: Bool
    var includeUsage: Bool
    /// Request-derived id fragment (FNV-1a of the body bytes).
    var idHash: String
    /// All tokens of the prompt (including cached ones).
    package var inputTotal: Int
    package var cacheRead: Int
    /// Anthropic only.
    package var cacheCreation: Int
    package var outputTokens: Int
    /// Text reply (empty for tool-call replies).
    package var text: String
    /// Text split into the fragments a stream sends; concatenated they equal `text`.
    package var textFragments: [String]
    package var toolCalls: [MockToolCall]
    /// The reply was cut to `max_tokens`.
    var truncated: Bool
    /// The stop sequence that ended the reply (it is not part of `text`).
    package var stopSequence: String?
    package var directives: MockDirectives

    /// Anthropic `input_tokens`: excludes both cache counters.
    package var anthropicInputTokens: Int { max(0, inputTotal - cacheRead - cacheCreation) }
}

package enum MockReplyPlanner {
    static let maximumTargetWords = 256
    static let maximumToolCalls = 16
    static let snippetLength = 40
    static let wordsPerFragment = 4

    /// Builds the reply plan for a decoded request. `headerDirectives` come from `x-mock-fault`.
    package static func plan(
        request: MockWireRequest,
        format: MockWireFormat,
        bodyHash: String,
        headerDirectives: MockDirectives
    ) -> MockReplyPlan {
        var directives = MockDirectives()
        var lastDirectives = MockDirectives()
        var scalarCount = 0
        var hasCacheControl = false

        // Where the trailing run of user/tool messages starts (trailing assistant messages skipped).
        let messages = request.messages
        var runEnd = messages.count
        while runEnd > 0, messages[runEnd - 1].role == "assistant" {
            runEnd -= 1
        }
        var runStart = runEnd
        while runStart > 0, Self.isUserSide(messages[runStart - 1].role) {
            runStart -= 1
        }

        var lastPieces: [String] = []
        var lastScalars = 0

        func visit(_ piece: String, last: Bool) {
            let n = piece.unicodeScalars.count
            scalarCount += n
            directives.scan(piece)
            if last {
                lastDirectives.scan(piece)
                lastPieces.append(piece)
                lastScalars += n
            }
        }

        func visit(_ content: MockWireContent?, last: Bool) {
            switch content {
            case .none: return
            case .text(let string): visit(string, last: last)
            case .blocks(let blocks):
                for block in blocks {
                    if block.hasCacheControl { hasCacheControl = true }
                    if let text = block.text { visit(text, last: last) }
                    if let nested = block.content { visit(nested, last: last) }
                }
            }
        }

        visit(request.system, last: false)
        for (index, message) in messages.enumerated() {
            visit(message.content, last: index >= runStart && index < runEnd)
        }
        if request.tools.contains(where: \.hasCacheControl) { hasCacheControl = true }

        directives.merge(headerDirectives)
        lastDirectives.merge(headerDirectives)

        let inputTotal = max(1, scalarCount / 4)
        var cacheRead = 0
        if let n = directives.cacheReadTokens {
            cacheRead = min(n, inputTotal)
        } else if hasCacheControl {
            cacheRead = inputTotal / 2
        }
        var cacheCreation = 0
        if format == .anthropic, let n = directives.cacheCreationTokens {
            cacheCreation = min(n, inputTotal - cacheRead)
        }

        let snippet = Self.snippet(lastPieces)

        // Tool call decision.
        let choice = request.toolChoice?.mode ?? .auto
        var toolCalls: [MockToolCall] = []
        if !request.tools.isEmpty, choice != .none {
            let forcedByChoice: Bool
            switch choice {
            case .required, .forced: forcedByChoice = true
            default: forcedByChoice = false
            }
            if lastDirectives.tool || forcedByChoice {
                var count = max(1, min(lastDirectives.toolCount ?? 1, Self.maximumToolCalls))
                if request.toolChoice?.disableParallel == true || request.parallelToolCalls == false {
                    count = 1
                }
                for i in 0..<count {
                    let name: String
                    if case .forced(let forced) = choice {
                        name = forced
                    } else {
                        name = request.tools[i % request.tools.count].name
                    }
                    let query = i == 0 ? snippet : snippet + " (\(i + 1))"
                    toolCalls.append(MockToolCall(name: name, argumentsJSON: "{\"query\": " + MockJSONText.quoted(query) + "}"))
                }
            }
        }

        var text = ""
        var fragments: [String] = []
        var outputTokens: Int
        var truncated = false
        var stopSequence: String?
        if toolCalls.isEmpty {
            // "Mock reply to: <snippet>" then filler words, `total` words in all.
            var prefix = "Mock reply to:"
            var prefixWords = 3
            if !snippet.isEmpty {
                prefix += " "
                prefix += snippet
                prefixWords += 1
                for byte in snippet.utf8 where byte == 0x20 { prefixWords += 1 }
            }
            let target = max(prefixWords, min(Self.maximumTargetWords, 16 + lastScalars / 8))
            var total = target
            if let maxTokens = request.maxTokens, maxTokens < total {
                total = max(1, maxTokens)
                truncated = true
            }
            if total < prefixWords {
                text = Self.firstWords(total, of: prefix)
            } else if total > prefixWords {
                text = MockJSONText.concat(prefix, " ", MockFiller.text(words: total - prefixWords))
            } else {
                text = prefix
            }
            outputTokens = total
            // The earliest stop sequence found in the reply ends it there.
            var cut: String.Index?
            for sequence in request.stopSequences where !sequence.isEmpty {
                if let range = text.firstRange(of: sequence), cut.map({ range.lowerBound < $0 }) ?? true {
                    cut = range.lowerBound
                    stopSequence = sequence
                }
            }
            if let cut {
                text = String(text[..<cut])
                truncated = false
                outputTokens = max(1, text.split(separator: " ").count)
            }
            fragments = Self.fragments(of: text)
        } else {
            outputTokens = 0
            for call in toolCalls {
                outputTokens += 5 + max(1, call.argumentsJSON.unicodeScalars.count / 4)
            }
        }

        return MockReplyPlan(
            model: request.model ?? "mock-model",
            stream: request.stream,
            includeUsage: request.includeUsage,
            idHash: bodyHash,
            inputTotal: inputTotal,
            cacheRead: cacheRead,
            cacheCreation: cacheCreation,
            outputTokens: outputTokens,
            text: text,
            textFragments: fragments,
            toolCalls: toolCalls,
            truncated: truncated,
            stopSequence: stopSequence,
            directives: directives
        )
    }

    /// Count-tokens only needs the input total and the directives (for faults).
    package static func countTokens(request: MockWireRequest, headerDirectives: MockDirectives) -> (Int, MockDirectives) {
        let plan = plan(request: request, format: .anthropic, bodyHash: "", headerDirectives: headerDirectives)
        return (plan.inputTotal, plan.directives)
    }

    /// Splits reply text into stream fragments of `wordsPerFragment` words; every fragment after the
    /// first starts with the space before its first word. Concatenated they give `text` back.
    package static func fragments(of text: String) -> [String] {
        // Scans UTF-8 bytes: a space (0x20) is always a scalar boundary, so every piece is valid UTF-8.
        let bytes = text.utf8
        var result: [String] = []
        var start = bytes.startIndex
        var spaces = 0
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if bytes[index] == 0x20 {
                spaces += 1
                if spaces == wordsPerFragment {
                    result.append(String(decoding: bytes[start..<index], as: UTF8.self))
                    start = index
                    spaces = 0
                }
            }
            index = bytes.index(after: index)
        }
        if start < bytes.endIndex {
            result.append(String(decoding: bytes[start..<bytes.endIndex], as: UTF8.self))
        }
        return result
    }

    static func isUserSide(_ role: String) -> Bool {
        role == "user" || role == "tool" || role == "function"
    }

    /// First `snippetLength` characters (unicode scalars) of the pieces joined, whitespace runs
    /// collapsed to one space, no leading or trailing space.
    package static func snippet(_ pieces: [String]) -> String {
        var out = String.UnicodeScalarView()
        var count = 0
        var pendingSpace = false
        outer: for piece in pieces {
            if count > 0 { pendingSpace = true }
            for scalar in piece.unicodeScalars {
                let isSpace: Bool
                if scalar.value < 0x80 {
                    isSpace = scalar.value == 0x20 || (scalar.value >= 0x09 && scalar.value <= 0x0D)
                } else {
                    isSpace = scalar.properties.isWhitespace
                }
                if isSpace {
                    if count > 0 { pendingSpace = true }
                    continue
                }
                if pendingSpace {
                    if count + 1 >= snippetLength { break outer }
                    out.append(" ")
                    count += 1
                    pendingSpace = false
                }
                out.append(scalar)
                count += 1
                if count >= snippetLength { break outer }
            }
        }
        return String(out)
    }

    /// The first `n` space-separated words of `text` (which has single spaces only).
    static func firstWords(_ n: Int, of text: String) -> String {
        var spaces = 0
        let bytes = text.utf8
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if bytes[index] == 0x20 {
                spaces += 1
                if spaces == n {
                    return String(decoding: bytes[bytes.startIndex..<index], as: UTF8.self)
                }
            }
            index = bytes.index(after: index)
        }
        return text
    }
}

/// Precomputed filler words: one string and the end offset of each word in it.
enum MockFiller {
    static let vocabulary = [
        "lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit", "sed", "do",
        "eiusmod", "tempor", "incididunt", "ut", "labore", "et", "dolore", "magna", "aliqua",
    ]
    static let all: String = (0..<MockReplyPlanner.maximumTargetWords)
        .map { vocabulary[$0 % vocabulary.count] }
        .joined(separator: " ")
    /// `ends[k]` = UTF-8 length of the first k + 1 words.
    static let ends: [Int] = {
        var result: [Int] = []
        var offset = 0
        for k in 0..<MockReplyPlanner.maximumTargetWords {
            offset += vocabulary[k % vocabulary.count].utf8.count + (k == 0 ? 0 : 1)
            result.append(offset)
        }
        return result
    }()

    /// The first `n` filler words, space separated.
    static func text(words n: Int) -> String {
        let count = min(max(0, n), ends.count)
        guard count > 0 else { return "" }
        return String(decoding: all.utf8.prefix(ends[count - 1]), as: UTF8.self)
    }
}
