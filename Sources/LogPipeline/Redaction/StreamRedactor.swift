/// Replaces the configured secret values (`Redactor` rule 5 only) in a byte stream that arrives in
/// arbitrary chunks, such as a response relayed to a client: a value split across two chunks is
/// still found. Only the bytes that could be the start of a value are held back (never more than
/// the longest value minus one), so an SSE event ending in a blank line is passed on at once.
/// The shape rules are not applied: relayed content may legitimately quote `sk-…` text.
public struct StreamRedactor: Sendable {
    private let redactor: Redactor
    private var pending: [UInt8] = []

    public init(redactor: Redactor) {
        self.redactor = redactor
    }

    /// The bytes of `chunk` that can be sent now, redacted.
    public mutating func feed(_ chunk: [UInt8]) -> [UInt8] {
        let secrets = redactor.secrets
        guard !secrets.isEmpty else { return chunk }
        var text = pending
        text.append(contentsOf: chunk)
        pending = []
        let (redacted, lastMatchEnd) = redactor.valuesRedacted(text)
        // What follows the last match is copied verbatim; a value may be starting at its end.
        let held = text[lastMatchEnd...].withUnsafeBytes { secrets.pendingPrefixLength($0) }
        guard held > 0 else { return redacted }
        pending = Array(redacted[(redacted.count - held)...])
        return Array(redacted[..<(redacted.count - held)])
    }

    /// The held-back bytes, at the end of the stream (they are no value: the stream ended).
    public mutating func finish() -> [UInt8] {
        defer { pending = [] }
        return pending
    }
}
