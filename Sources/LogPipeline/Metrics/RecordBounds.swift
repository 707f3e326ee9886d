/// The documented range of every per-request value a record carries (docs/log-schema.md, "Bounds").
///
/// One rule at every boundary: the proxy checks upstream usage against these bounds before it is
/// stored (outside them: `upstream_bad_usage`, the value is not summed), and replay checks every
/// record it reads (outside them: a bad record, reported with file:line, not summed). Bounds are
/// chosen so that no sum of in-bound values can overflow before `maxTotal`, which the aggregate
/// enforces with checked arithmetic.
public enum RecordBounds {
    /// Tokens of one kind (input, output, cache read, cache creation) in one request: 0…2^32.
    public static let tokens: ClosedRange<Int64> = 0...(1 << 32)
    /// Tool uses / results / calls, messages, tools defined, max_tokens of one request: 0…2^32.
    public static let count: ClosedRange<Int64> = 0...(1 << 32)
    /// Request and response body sizes: 0…2^40 bytes (1 TiB).
    public static let bytes: ClosedRange<Int64> = 0...(1 << 40)
    /// Durations (total, upstream, first token): 0…30 days, in nanoseconds.
    public static let durationNanos: ClosedRange<Int64> = 0...(30 * 86_400 * 1_000_000_000)
    /// Wall-clock start: the Unix epoch … 3000-01-01T00:00:00Z, in microseconds.
    public static let startMicros: ClosedRange<Int64> = 0...32_503_680_000_000_000
    /// HTTP status sent to the client (0 while in flight).
    public static let httpStatus: ClosedRange<Int64> = 0...999
    /// Any running sum (a counter of the totals, a checkpoint value): 0…2^62. Sums are checked
    /// against it; in-flight values added on top (≤ 2^32 each) cannot reach Int64.max.
    public static let total: ClosedRange<Int64> = 0...(1 << 62)

    /// Longest model name (as requested or as resolved) and provider name kept: 256 UTF-8 bytes.
    public static let maxModelBytes = 256
    /// Longest error type kept: 64 bytes; error message: 1,024 bytes (after redaction).
    public static let maxErrorTypeBytes = 64
    public static let maxErrorMessageBytes = 1_024
    /// Longest stop reason kept: 64 bytes.
    public static let maxStopReasonBytes = 64
    /// Longest client-supplied request id kept: 128 bytes (see `CorrelationContext.isSaneID`).
    public static let maxClientRequestIDBytes = 128

    /// `text` cut to at most `maxBytes` UTF-8 bytes at a character boundary (redact first, then clip:
    /// a key cut in half would escape the redactor).
    public static func clip(_ text: String, toBytes maxBytes: Int) -> String {
        guard text.utf8.count > maxBytes else { return text }
        var end = text.startIndex
        var used = 0
        for index in text.indices {
            let next = text.index(after: index)
            let width = text.utf8.distance(from: index, to: next)
            if used + width > maxBytes { break }
            used += width
            end = next
        }
        return String(text[..<end])
    }

    /// `m` with every string cut to its bound (`clip`): what the tracker keeps, shows and logs, so no
    /// client- or upstream-supplied string (an 8 MB model name, a huge stop reason) is held in memory.
    /// Redaction has happened before (the strings enter `RequestMetrics` redacted).
    public static func clippingStrings(_ m: RequestMetrics) -> RequestMetrics {
        var m = m
        m.requestedModel = clip(m.requestedModel, toBytes: maxModelBytes)
        m.resolvedModel = clip(m.resolvedModel, toBytes: maxModelBytes)
        m.provider = clip(m.provider, toBytes: maxModelBytes)
        m.clientRequestID = m.clientRequestID.map { clip($0, toBytes: maxClientRequestIDBytes) }
        m.error = m.error.map { clip($0, toBytes: maxErrorMessageBytes) }
        m.errorType = m.errorType.map { clip($0, toBytes: maxErrorTypeBytes) }
        m.stopReason = m.stopReason.map { clip($0, toBytes: maxStopReasonBytes) }
        return m
    }

    /// The first value of `m` outside its bound, in record order (`CompletedRecordSchema`), or nil
    /// when every value is in bounds.
    public static func violation(in m: RequestMetrics) -> BoundViolation? {
        // The compiled rows hold a bound and a reader only: walking the table itself copied every
        // row (its strings retained and released) three times per replayed request. The message
        // comes from the table's row.
        let checks = boundChecks
        for i in checks.indices {
            let inBounds: Bool
            switch checks[i].bound {
            case .range(let range, let read): inBounds = range.contains(read(m))
            case .maxBytes(let limit, let read): inBounds = (read(m)?.utf8.count ?? 0) <= limit
            }
            if !inBounds { return CompletedRecordSchema.fields[checks[i].row].violation(in: m) }
        }
        return nil
    }

    /// A refused bound of a `CompletedRecordSchema` row, with the row's reader.
    struct BoundCheck: Sendable {
        enum Bound: Sendable {
            case range(ClosedRange<Int64>, @Sendable (RequestMetrics) -> Int64)
            case maxBytes(Int, @Sendable (RequestMetrics) -> String?)
        }
        let row: Int
        let bound: Bound
    }

    /// The rows of `CompletedRecordSchema.fields` that `CompletedRecordField.violation` can refuse,
    /// in table order, built once from the table.
    static let boundChecks: [BoundCheck] = CompletedRecordSchema.fields.enumerated().compactMap { row, field in
        switch (field.bound, field.value) {
        case (.range(let range), .integer(let read)): BoundCheck(row: row, bound: .range(range, read))
        case (.maxBytes(let limit), .string(let read)): BoundCheck(row: row, bound: .maxBytes(limit, read))
        default: nil
        }
    }
}

/// A value outside `RecordBounds`: which field, and why.
public struct BoundViolation: Error, Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var detail: String

    public init(field: String, detail: String) {
        self.field = field
        self.detail = detail
    }

    /// An integer outside its range.
    public init(field: String, value: Int64, bound: ClosedRange<Int64>) {
        self.init(field: field, detail: "\(value) is outside \(bound.lowerBound)…\(bound.upperBound)")
    }

    public var description: String { "\(field): \(detail)" }
}
