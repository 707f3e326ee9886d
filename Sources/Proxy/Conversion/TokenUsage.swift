import LogPipeline

/// Token counts with Anthropic semantics: `inputTokens` EXCLUDES both cache counters.
///
/// Read from upstream replies under one rule for both formats: every counter must be an integer within
/// `RecordBounds.tokens`. Anything else (negative, beyond 2^32, a float with a fraction, a string) makes
/// the whole usage unusable: its counters are zero and `violation` says why, so the request is recorded
/// as `upstream_bad_usage` and nothing of it is summed.
package struct TokenUsage: Sendable, Equatable, CustomStringConvertible {
    package var inputTokens: Int
    package var outputTokens: Int
    package var cacheReadTokens: Int
    package var cacheCreationTokens: Int
    /// Why the upstream's usage was refused (field and value), or nil when it is usable.
    var violation: String?

    package init(inputTokens: Int = 0, outputTokens: Int = 0, cacheReadTokens: Int = 0, cacheCreationTokens: Int = 0) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cacheReadTokens = cacheReadTokens
        self.cacheCreationTokens = cacheCreationTokens
    }

    package static let zero = TokenUsage()

    /// A usage refused as a whole.
    static func refused(_ why: String) -> TokenUsage {
        var usage = TokenUsage()
        usage.violation = why
        return usage
    }

    /// All prompt tokens the upstream processed: input + cache read + cache creation (in bounds, so no overflow).
    package var totalInputTokens: Int { inputTokens + cacheReadTokens + cacheCreationTokens }

    /// Reads an OpenAI `usage` object: `prompt_tokens` INCLUDES `prompt_tokens_details.cached_tokens`, so
    /// `inputTokens = prompt_tokens - cached_tokens`; cached > prompt is a violation. DeepSeek's
    /// `prompt_cache_hit_tokens` is used when `prompt_tokens_details.cached_tokens` is absent. OpenAI
    /// has no cache-creation counter.
    package init(openAIUsage usage: JSONValue) {
        do throws(BoundViolation) {
            let prompt = try Self.counter(usage, "prompt_tokens") ?? 0
            let details = try Self.counter(usage["prompt_tokens_details"], "cached_tokens", path: "prompt_tokens_details.cached_tokens")
            let cached: Int
            if let details { cached = details } else { cached = try Self.counter(usage, "prompt_cache_hit_tokens") ?? 0 }
            guard cached <= prompt else {
                self = .refused("cached tokens \(cached) exceed prompt_tokens \(prompt)")
                return
            }
            self.init(inputTokens: prompt - cached, outputTokens: try Self.counter(usage, "completion_tokens") ?? 0,
                      cacheReadTokens: cached, cacheCreationTokens: 0)
        } catch {
            self = .refused(error.description)
        }
    }

    /// Reads an Anthropic `usage` object (missing counters are 0).
    package init(anthropicUsage usage: JSONValue?) {
        do throws(BoundViolation) {
            self.init(inputTokens: try Self.counter(usage, "input_tokens") ?? 0,
                      outputTokens: try Self.counter(usage, "output_tokens") ?? 0,
                      cacheReadTokens: try Self.counter(usage, "cache_read_input_tokens") ?? 0,
                      cacheCreationTokens: try Self.counter(usage, "cache_creation_input_tokens") ?? 0)
        } catch {
            self = .refused(error.description)
        }
    }

    /// One counter of a usage object: absent or null → nil; an integer within `RecordBounds.tokens` →
    /// its value; anything else → a violation naming the field and the value as sent.
    static func counter(_ object: JSONValue?, _ key: String, path: String? = nil) throws(BoundViolation) -> Int? {
        guard let value = object?[key] else { return nil }
        if case .null = value { return nil }
        if let int = value.int, RecordBounds.tokens.contains(Int64(int)) { return int }
        let shown = RecordBounds.clip(String(decoding: value.serialized(), as: UTF8.self), toBytes: 64)
        throw BoundViolation(field: path ?? key, detail: "\(shown) is not an integer within \(RecordBounds.tokens.lowerBound)…\(RecordBounds.tokens.upperBound)")
    }

    /// The Anthropic `usage` object, keys in Anthropic's order.
    var anthropicJSON: JSONValue {
        [
            "input_tokens": JSONValue(inputTokens),
            "cache_creation_input_tokens": JSONValue(cacheCreationTokens),
            "cache_read_input_tokens": JSONValue(cacheReadTokens),
            "output_tokens": JSONValue(outputTokens),
        ]
    }

    package var description: String {
        if let violation { return "unusable usage (\(violation))" }
        return "in=\(inputTokens) out=\(outputTokens) cache_read=\(cacheReadTokens) cache_creation=\(cacheCreationTokens)"
    }
}
