/// The parsers that read outside input, each as one fuzz target: a function from arbitrary bytes to
/// either nothing (the input was handled, accepted or rejected) or a `FuzzViolation` (a property broke).
/// A trap inside a parser is the other failure; libFuzzer catches it, and so does the test process.
///
/// They live in the proxy library beside its parsers; the replay and redaction targets sit with them so
/// one instrumented binary serves all. `Sources/vdm/FuzzEntry.swift` hands them to libFuzzer in a `-DVDM_FUZZ` build (`scripts/fuzz`); the test suite
/// runs every committed seed through them (`FuzzCorpusTests`). docs/fuzzing.md says what each covers.
package enum FuzzTarget: String, CaseIterable, Sendable {
    /// Replay's reader on JSON lines: framing, `RecordParser`, the JSON scanner, every field accessor.
    case record
    /// The same reader on gzip input (`GzipSource`, single and concatenated members, trailing bytes).
    case gzip
    /// The same reader on `journalctl -o export` input (text and binary fields).
    case journalExport = "journal-export"
    /// `Redactor`: idempotent, output bounded by `Redactor.maxOutputLength`, planted keys always caught.
    case redactor
    /// The request JSON reader (`JSONValue.parse`, `JSONTopLevel`): parse, serialize, parse again.
    case requestJSON = "request-json"
    /// A request body through `AnthropicRequestStats` and the Anthropic→OpenAI converter.
    case requestConvert = "request-convert"
    /// `SSEParser` fed in random chunk splits: the events do not depend on where chunks were cut.
    case sse
    /// An OpenAI SSE stream through `SSEParser` and `OpenAIStreamConverter`: every emitted event re-parses.
    case openAIStream = "openai-stream"
    /// An Anthropic SSE stream through `SSEParser` and `AnthropicStreamUsageTap`.
    case anthropicStream = "anthropic-stream"

    /// Runs one input. Any input is allowed; only a broken property throws.
    package func run(_ data: [UInt8]) throws(FuzzViolation) {
        switch self {
        case .record, .gzip, .journalExport: _ = try ReaderFuzz.run(data)
        case .redactor: try RedactorFuzz.run(data)
        case .requestJSON: try RequestFuzz.runJSON(data)
        case .requestConvert: try RequestFuzz.runConvert(data)
        case .sse: try StreamFuzz.runSSE(data)
        case .openAIStream: try StreamFuzz.runOpenAI(data)
        case .anthropicStream: try StreamFuzz.runAnthropic(data)
        }
    }
}

/// A property that did not hold for one input.
package struct FuzzViolation: Error, Sendable, CustomStringConvertible {
    package var description: String

    package init(_ description: String) {
        self.description = description
    }
}
