#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What one line of input turned out to be.
public enum LineClass: Sendable, Equatable {
    /// Whitespace only: not a record, not a problem.
    case blank
    /// Not usable; `detail` says why (file and line are added by the reader).
    case problem(InputProblemKind, String)
    /// A vdm record with a valid envelope (instance, sequence, schema).
    case record(RecordKind)
}

/// The kinds of vdm records (by `event.action`).
public enum RecordKind: Sendable, Equatable {
    case started, completed, checkpoint
    /// `summary.models`, `summary.errors`: human summary lines.
    case summaryLine
    /// No `event.action`: an ordinary log line (ours or a library's).
    case plain
    /// An `event.action` this reader does not know (sequence-checked, reported, not used).
    case unknownAction
}

/// A field the analyzer needs was missing, had the wrong type, or a value outside `RecordBounds`.
public struct FieldProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var reason: String
    /// The value is an integer, but outside its documented bound (`InputProblemKind.outOfBounds`).
    public var outOfBounds = false
    public var description: String { "\(field): \(reason)" }

    init(field: String, reason: String, outOfBounds: Bool = false) {
        self.field = field
        self.reason = reason
        self.outOfBounds = outOfBounds
    }

    init(_ v: BoundViolation) { self.init(field: v.field, reason: v.detail, outOfBounds: true) }

    /// How a reader reports it.
    public var kind: InputProblemKind { outOfBounds ? .outOfBounds : .invalidRecord }
}

/// Parses one ECS JSON line (or one `journalctl -o json` entry wrapping one) and answers questions
/// about it until the next `parse`.
///
/// One pass validates the whole line and remembers where the value of each known key lies
/// (whatever the key order, unknown keys skipped, last duplicate wins); values are converted only
/// when asked for, so an ordinary log line costs a scan and no allocation beyond its ids.
/// A class because it owns reusable buffers; one per reading task, never shared.
public final class RecordParser {
    enum ValueKind: UInt8 { case string, integer, number, bool, null, object, array }

    struct Slot {
        var start: Int32 = 0
        var end: Int32 = 0
        var generation: UInt32 = 0
        var kind: ValueKind = .null
        var escaped = false
        /// An integer that fits in Int64 (computed while scanning).
        var fits = false
        var integer: Int64 = 0
    }

    // Unchecked exclusivity: these are touched for every key of every line, the parser is confined
    // to one task, and no access to them overlaps another (no callbacks while one is in progress).
    @exclusivity(unchecked) private var slots: [Slot]
    private let fieldCount = RecordField.allCases.count
    /// The actions we know, as bytes: completed, started, checkpoint, then the summary lines.
    private let actions: [[UInt8]] = [
        EventAction.requestCompleted, EventAction.requestStarted, EventAction.summaryCheckpoint,
        EventAction.summaryModels, EventAction.summaryErrors,
    ].map { Array($0.utf8) }
    @exclusivity(unchecked) private var generation: UInt32 = 0
    private let keys = RecordKeyTable()
    /// For each field, the field that followed it on the previous line (the guess for the next key).
    @exclusivity(unchecked) private var nextGuess: [Int]
    private var guessKey: [(offset: Int, length: Int)]
    @exclusivity(unchecked) private var base: UnsafePointer<UInt8>?
    @exclusivity(unchecked) private var count = 0
    private var inner: UnsafeMutableRawBufferPointer
    @exclusivity(unchecked) private var scratch: [UInt8] = []

    public init() {
        let n = RecordField.allCases.count
        slots = Array(repeating: Slot(), count: n)
        nextGuess = Array(repeating: -1, count: n + 1)
        guessKey = Array(repeating: (offset: 0, length: 0), count: n)
        for f in RecordField.allCases {
            if let o = keys.offset(of: f.rawValue) { guessKey[f.rawValue] = o }
        }
        inner = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 8)
        scratch.reserveCapacity(256)
    }

    deinit { inner.deallocate() }

    // MARK: parsing

    /// Parses `line` (without its newline). `line` must stay valid until the caller is done asking.
    public func parse(_ line: UnsafeRawBufferPointer) -> LineClass {
        guard let raw = line.baseAddress, line.count > 0 else { return .blank }
        let p = raw.assumingMemoryBound(to: UInt8.self)
        var i = 0
        JSONScan.skipSpace(p, &i, line.count)
        if i == line.count { return .blank }
        do throws(JSONScan.Failure) {
            try object(p, line.count)
        } catch {
            return .problem(Self.classify(p, line.count, error), Self.describe(error))
        }
        base = p
        count = line.count
        if isPresent(.journalPayload) { return journalEntry() }
        if isPresent(.journalCursor) || isPresent(.journalRealtime) {
            return .problem(.foreignJournalEntry, "journal entry without \(JournalField.payload)")
        }
        return envelope()
    }

    /// Parses the top-level object, filling the slots of known keys.
    private func object(_ p: UnsafePointer<UInt8>, _ end: Int) throws(JSONScan.Failure) {
        generation &+= 1
        if generation == 0 {
            for k in slots.indices { slots[k].generation = 0 }
            generation = 1
        }
        var i = 0
        JSONScan.skipSpace(p, &i, end)
        guard i < end, p[i] == UInt8(ascii: "{") else {
            if i < end, p[i] < 0x20 { throw .controlByte(i) }
            throw .malformed(i, "not a JSON object")
        }
        i += 1
        JSONScan.skipSpace(p, &i, end)
        if i < end, p[i] == UInt8(ascii: "}") {
            i += 1
        } else {
            var previous = fieldCount  // "start of object" for the key guess
            while true {
                guard i < end, p[i] == UInt8(ascii: "\"") else { throw .malformed(i, "expected a string key in object") }
                // Fast path: the key we guess, byte for byte and closed by a quote, is that key (its
                // bytes are known plain ASCII, so there is nothing to validate or unescape).
                var found = -1
                var keyEnd = -1
                let guess = nextGuess[previous]
                if guess >= 0 {
                    let g = guessKey[guess]
                    let close = i + 1 + g.length
                    if close < end, p[close] == UInt8(ascii: "\""), keys.matches(p + i + 1, g.length, offset: g.offset, keyLength: g.length) {
                        found = guess
                        keyEnd = close
                    }
                }
                if keyEnd < 0 {
                    var keyEscaped = false
                    keyEnd = try JSONScan.string(p, from: i + 1, end, escaped: &keyEscaped)
                    found = keyEscaped ? escapedKeyField(p, i + 1, keyEnd) : keys.lookup(p + i + 1, keyEnd - i - 1)
                }
                i = keyEnd + 1
                JSONScan.skipSpace(p, &i, end)
                guard i < end, p[i] == UInt8(ascii: ":") else { throw .malformed(i, "expected ':'") }
                i += 1
                JSONScan.skipSpace(p, &i, end)
                i = try value(p, at: i, end, field: found)
                if found >= 0 {
                    if nextGuess[previous] != found { nextGuess[previous] = found }
                    previous = found
                }
                JSONScan.skipSpace(p, &i, end)
                guard i < end else { throw .malformed(i, "unterminated object") }
                if p[i] == UInt8(ascii: "}") { i += 1; break }
                guard p[i] == UInt8(ascii: ",") else { throw .malformed(i, "expected ',' or '}'") }
                i += 1
                JSONScan.skipSpace(p, &i, end)
            }
        }
        JSONScan.skipSpace(p, &i, end)
        guard i == end else { throw p[i] < 0x20 ? .controlByte(i) : .malformed(i, "text after the object") }
    }

    private func escapedKeyField(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int {
        scratch.removeAll(keepingCapacity: true)
        guard JSONUnescape.append(p, start, end, to: &scratch) else { return -1 }
        return scratch.withUnsafeBufferPointer { b in
            guard let k = b.baseAddress else { return -1 }
            return keys.lookup(k, b.count)
        }
    }

    /// Scans the value at `i`; for a known field, records where it lies.
    @inline(__always)
    private func value(_ p: UnsafePointer<UInt8>, at i: Int, _ end: Int, field: Int) throws(JSONScan.Failure) -> Int {
        guard i < end else { throw .malformed(i, "unexpected end of input, expected a value") }
        var slot = Slot(start: Int32(truncatingIfNeeded: i), end: 0, generation: generation)
        let next: Int
        switch p[i] {
        case UInt8(ascii: "\""):
            var escaped = false
            let close = try JSONScan.string(p, from: i + 1, end, escaped: &escaped)
            slot.kind = .string
            slot.start = Int32(truncatingIfNeeded: i + 1)
            slot.end = Int32(truncatingIfNeeded: close)
            slot.escaped = escaped
            next = close + 1
        case UInt8(ascii: "-"), 0x30...0x39:
            let (e, integer, v) = try JSONScan.number(p, at: i, end)
            slot.kind = integer ? .integer : .number
            slot.end = Int32(truncatingIfNeeded: e)
            if let v {
                slot.fits = true
                slot.integer = v
            }
            next = e
        case UInt8(ascii: "t"):
            next = try JSONScan.literal(p, at: i, end, "true")
            slot.kind = .bool
            slot.end = 1
        case UInt8(ascii: "f"):
            next = try JSONScan.literal(p, at: i, end, "false")
            slot.kind = .bool
            slot.end = 0
        case UInt8(ascii: "n"):
            next = try JSONScan.literal(p, at: i, end, "null")
            slot.kind = .null
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            next = try JSONScan.skipValue(p, at: i, end, depth: 0)
            slot.kind = p[i] == UInt8(ascii: "{") ? .object : .array
            slot.end = Int32(truncatingIfNeeded: next)
        default:
            throw JSONScan.unexpected(p, at: i)
        }
        if field >= 0 { slots[field] = slot }
        return next
    }

    // MARK: classification

    private func envelope() -> LineClass {
        guard isPresent(.schema) else { return .problem(.foreignRecord, "no vdm.schema") }
        guard let schema = try? int(.schema) else { return .problem(.invalidRecord, "vdm.schema: not an integer") }
        if schema > Int64(Schema.version) {
            return .problem(.newerSchema, "vdm.schema \(schema) is newer than this reader's \(Schema.version)")
        }
        guard schema >= 1 else { return .problem(.invalidRecord, "vdm.schema \(schema)") }
        guard slot(.instanceID)?.kind == .string else { return .problem(.invalidRecord, "\(FieldName.instanceID): missing or not a string") }
        guard let seq = try? int(.sequence), seq >= 1 else { return .problem(.invalidRecord, "event.sequence: missing or not a positive integer") }
        guard let action = slot(.action) else { return .record(.plain) }
        guard action.kind == .string else { return .problem(.invalidRecord, "event.action: not a string") }
        if equals(action, actions[0]) { return .record(.completed) }
        if equals(action, actions[1]) { return .record(.started) }
        if equals(action, actions[2]) { return .record(.checkpoint) }
        if equals(action, actions[3]) || equals(action, actions[4]) { return .record(.summaryLine) }
        // An escaped spelling of a known action is still that action.
        if action.escaped, let text = try? string(.action) {
            switch text {
            case EventAction.requestCompleted: return .record(.completed)
            case EventAction.requestStarted: return .record(.started)
            case EventAction.summaryCheckpoint: return .record(.checkpoint)
            case EventAction.summaryModels, EventAction.summaryErrors: return .record(.summaryLine)
            default: break
            }
        }
        return .record(.unknownAction)
    }

    /// Unwraps `VDM_ECS_JSON` (a string, or an array of byte values for binary data) and parses it.
    private func journalEntry() -> LineClass {
        guard let p = base, let s = slot(.journalPayload) else { return .blank }
        scratch.removeAll(keepingCapacity: true)
        switch s.kind {
        case .string:
            guard JSONUnescape.append(p, Int(s.start), Int(s.end), to: &scratch) else {
                return .problem(.malformedJournalEntry, "\(JournalField.payload): lone surrogate escape")
            }
        case .array:
            guard Self.byteArray(p, Int(s.start), Int(s.end), into: &scratch) else {
                return .problem(.malformedJournalEntry, "\(JournalField.payload): not a string nor an array of byte values (a field logged more than once?)")
            }
        case .null:
            return .problem(.malformedJournalEntry, "\(JournalField.payload) is null (journalctl omits values over 4096 bytes unless run with --all)")
        default:
            return .problem(.malformedJournalEntry, "\(JournalField.payload): unexpected value type")
        }
        let result = parseInner(copying: scratch)
        return result
    }

    /// Parses an already unwrapped ECS line (copied: `scratch` is reused while parsing).
    func parseInner(copying bytes: [UInt8]) -> LineClass {
        if inner.count < bytes.count {
            inner.deallocate()
            inner = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, inner.count * 2), alignment: 8)
        }
        inner.copyBytes(from: bytes)
        var class_ = parse(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(inner)[0..<bytes.count]))
        if case .problem(let kind, let detail) = class_, kind == .foreignJournalEntry || kind == .malformedJournalEntry {
            class_ = .problem(.foreignRecord, "\(JournalField.payload) holds a journal entry: \(detail)")
        }
        return class_
    }

    /// `[123, 34, …]`: journalctl's form for values that are not valid text.
    private static func byteArray(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, into out: inout [UInt8]) -> Bool {
        var i = start + 1
        while i < end {
            JSONScan.skipSpace(p, &i, end)
            guard i < end else { return false }
            if p[i] == UInt8(ascii: "]") { return true }
            if p[i] == UInt8(ascii: ",") { i += 1; continue }
            var v = 0
            var digits = 0
            while i < end, JSONScan.isDigit(p[i]), digits < 4 {
                v = v * 10 + Int(p[i] - 0x30)
                digits += 1
                i += 1
            }
            guard digits > 0, v <= 255 else { return false }
            out.append(UInt8(v))
        }
        return false
    }

    static func classify(_ p: UnsafePointer<UInt8>, _ end: Int, _ failure: JSONScan.Failure) -> InputProblemKind {
        for i in 0..<end {
            let c = p[i]
            if (c < 0x20 && c != 0x09 && c != 0x0D && c != 0x0A) || c == 0x7F { return .binaryGarbage }
        }
        if case .invalidUTF8 = failure { return .invalidUTF8 }
        var i = 0
        while i < end {
            if p[i] < 0x80 { i += 1; continue }
            guard let next = try? JSONScan.utf8Sequence(p, at: i, end) else { return .invalidUTF8 }
            i = next
        }
        return .malformedJSON
    }

    static func describe(_ failure: JSONScan.Failure) -> String {
        switch failure {
        case .malformed(let o, let why): "byte \(o + 1): \(why)"
        case .invalidUTF8(let o): "byte \(o + 1): invalid UTF-8"
        case .controlByte(let o): "byte \(o + 1): control byte"
        case .tooDeep(let o): "byte \(o + 1): nested deeper than \(JSONScan.maxDepth)"
        }
    }

    // MARK: values

    @inline(__always)
    func slot(_ f: RecordField) -> Slot? {
        let s = slots[f.rawValue]
        return s.generation == generation ? s : nil
    }

    @inline(__always)
    public func isPresent(_ f: RecordField) -> Bool { slots[f.rawValue].generation == generation }

    private func equals(_ s: Slot, _ text: [UInt8]) -> Bool {
        guard let p = base, !s.escaped, Int(s.end - s.start) == text.count else { return false }
        return text.withUnsafeBufferPointer { t in
            guard let q = t.baseAddress else { return true }
            return memcmp(p + Int(s.start), q, t.count) == 0
        }
    }

    /// The integer value of `f`; nil when absent; throws when present but not an integer.
    public func int(_ f: RecordField) throws(FieldProblem) -> Int64? {
        guard let s = slot(f) else { return nil }
        guard s.kind == .integer else { throw FieldProblem(field: f.key, reason: "not an integer") }
        guard s.fits else { throw FieldProblem(field: f.key, reason: "outside the 64-bit range", outOfBounds: true) }
        return s.integer
    }

    public func bool(_ f: RecordField) throws(FieldProblem) -> Bool? {
        guard let s = slot(f) else { return nil }
        guard s.kind == .bool else { throw FieldProblem(field: f.key, reason: "not a boolean") }
        return s.end == 1
    }

    /// The string value of `f`; nil when absent; throws when present but not a string.
    public func string(_ f: RecordField) throws(FieldProblem) -> String? {
        guard let s = slot(f) else { return nil }
        guard s.kind == .string, let p = base else { throw FieldProblem(field: f.key, reason: "not a string") }
        if !s.escaped {
            return String(decoding: UnsafeBufferPointer(start: p + Int(s.start), count: Int(s.end - s.start)), as: UTF8.self)
        }
        scratch.removeAll(keepingCapacity: true)
        guard JSONUnescape.append(p, Int(s.start), Int(s.end), to: &scratch) else {
            throw FieldProblem(field: f.key, reason: "lone surrogate escape")
        }
        return String(decoding: scratch, as: UTF8.self)
    }

    /// Calls `body` with the decoded bytes of string field `f` (no allocation when it has no escapes).
    /// Returns nil when the field is absent, not a string or undecodable.
    public func withStringBytes<R>(_ f: RecordField, _ body: (UnsafeRawBufferPointer) -> R) -> R? {
        guard let s = slot(f), s.kind == .string, let p = base else { return nil }
        if !s.escaped {
            return body(UnsafeRawBufferPointer(start: p + Int(s.start), count: Int(s.end - s.start)))
        }
        scratch.removeAll(keepingCapacity: true)
        guard JSONUnescape.append(p, Int(s.start), Int(s.end), to: &scratch) else { return nil }
        return scratch.withUnsafeBytes(body)
    }

    // MARK: envelope

    /// `service.node.name` (schema 1: `service.instance.id`; the envelope check guarantees a string).
    public var instanceID: String { (try? string(.instanceID)) ?? "" }
    /// `event.sequence` (the envelope check guarantees a positive integer).
    public var sequence: UInt64 { UInt64((try? int(.sequence)) ?? 0) }
    /// `http.request.id`, when present and a string.
    public var requestID: String? { try? string(.requestID) }
    /// `@timestamp` as µs since the epoch, when present and well formed.
    public var timestampMicros: Int64? {
        guard let text = try? string(.timestamp) else { return nil }
        return WallClock.parseISO8601(text)
    }
    public var level: String { (try? string(.level)) ?? "" }
    public var logger: String { (try? string(.logger)) ?? "" }
    public var message: String { (try? string(.message)) ?? "" }

    /// The current record's JSON line as read (for a journal entry, its `VDM_ECS_JSON` value).
    public var currentLine: String {
        guard let p = base else { return "" }
        return String(decoding: UnsafeBufferPointer(start: p, count: count), as: UTF8.self)
    }

    /// The message cut to at most `maxBytes` of UTF-8 (at a scalar boundary, with `…` when cut),
    /// without decoding what is cut away.
    public func messagePrefix(maxBytes: Int) -> String {
        withStringBytes(.message) { b in
            guard b.count > maxBytes else { return String(decoding: b, as: UTF8.self) }
            var n = maxBytes
            while n > 0, b[n] & 0xC0 == 0x80 { n -= 1 }
            return String(decoding: UnsafeRawBufferPointer(rebasing: b[0..<n]), as: UTF8.self) + "…"
        } ?? ""
    }
    public var action: String? { try? string(.action) }

    // MARK: typed payloads

    private func required(_ f: RecordField) throws(FieldProblem) -> Int64 {
        guard let v = try int(f) else { throw FieldProblem(field: f.key, reason: "missing") }
        return v
    }

    private func requiredInt(_ f: RecordField) throws(FieldProblem) -> Int {
        Int(truncatingIfNeeded: try required(f))
    }

    private func optionalInt(_ f: RecordField) throws(FieldProblem) -> Int {
        Int(truncatingIfNeeded: try int(f) ?? 0)
    }

    /// A required value checked against `bound` (the checkpoint's totals, a start's counts).
    private func required(_ f: RecordField, within bound: ClosedRange<Int64>) throws(FieldProblem) -> Int64 {
        let v = try required(f)
        guard bound.contains(v) else { throw FieldProblem(BoundViolation(field: f.key, value: v, bound: bound)) }
        return v
    }

    private func optional(_ f: RecordField, within bound: ClosedRange<Int64>) throws(FieldProblem) -> Int {
        let v = try int(f) ?? 0
        guard bound.contains(v) else { throw FieldProblem(BoundViolation(field: f.key, value: v, bound: bound)) }
        return Int(truncatingIfNeeded: v)
    }

    private func requiredString(_ f: RecordField) throws(FieldProblem) -> String {
        guard let v = try string(f) else { throw FieldProblem(field: f.key, reason: "missing") }
        return v
    }

    /// The metrics of a `request.completed` record. Fields the aggregator reads are required; the
    /// others (sizes, status, upstream and first-token times) default to 0 when absent.
    public func completedMetrics() throws(FieldProblem) -> RequestMetrics {
        try checkedCompletedMetrics().metrics
    }

    /// `completedMetrics`, as checked against `RecordBounds` (so an aggregate need not check again).
    package func checkedCompletedMetrics() throws(FieldProblem) -> CheckedMetrics {
        let outcome = try requiredString(.outcome)
        guard outcome == "success" || outcome == "failure" else {
            throw FieldProblem(field: RecordField.outcome.key, reason: "neither success nor failure")
        }
        guard let streaming = try bool(.streaming) else { throw FieldProblem(field: RecordField.streaming.key, reason: "missing") }
        var m = RequestMetrics(
            requestID: try string(.requestID) ?? "",
            requestedModel: try requiredString(.requestedModel),
            resolvedModel: try requiredString(.resolvedModel),
            provider: try requiredString(.provider),
            isStreaming: streaming,
            startMicros: try required(.startMicros),
            durationNanos: try required(.durationNanos),
            upstreamNanos: try int(.upstreamNanos) ?? 0,
            firstTokenNanos: try int(.firstTokenNanos) ?? 0,
            inputTokens: try requiredInt(.inputTokens),
            outputTokens: try requiredInt(.outputTokens),
            cacheReadTokens: try requiredInt(.cacheReadTokens),
            cacheCreationTokens: try requiredInt(.cacheCreationTokens),
            toolUses: try requiredInt(.toolUses),
            toolResults: try requiredInt(.toolResults),
            toolCalls: try requiredInt(.toolCalls),
            messageCount: try optionalInt(.messageCount),
            requestBytes: try optionalInt(.requestBytes),
            responseBytes: try optionalInt(.responseBytes),
            httpStatus: try optionalInt(.httpStatus),
            stopReason: try string(.stopReason),
            clientRequestID: try string(.clientRequestID))
        // `event.outcome` decides success; the error fields of a failure are read only then (a
        // success record may carry an `error.*` pair from an attached Swift error).
        if outcome == "failure" {
            m.errorType = try string(.errorType)
            m.error = try string(.errorMessage) ?? ""
        }
        // The live tracker refuses the same values (`MetricsAggregate.add`): replay equals live.
        do throws(BoundViolation) { return try CheckedMetrics(m) } catch { throw FieldProblem(error) }
    }

    /// The payload of a `request.started` record (the request's metrics as known at its start).
    public func startedPayload() throws(FieldProblem) -> RequestStartedPayload {
        let m = RequestMetrics(
            requestID: try string(.requestID) ?? "",
            requestedModel: try string(.requestedModel) ?? "",
            resolvedModel: try string(.resolvedModel) ?? "",
            provider: try string(.provider) ?? "",
            isStreaming: try bool(.streaming) ?? false,
            startMicros: try int(.startMicros) ?? 0,
            toolUses: try optionalInt(.toolUses),
            toolResults: try optionalInt(.toolResults),
            messageCount: try optionalInt(.messageCount),
            requestBytes: try optionalInt(.requestBytes),
            clientRequestID: try string(.clientRequestID))
        if let violation = RecordBounds.violation(in: m) { throw FieldProblem(violation) }
        return RequestStartedPayload(metrics: m, toolsDefined: try optional(.toolsDefined, within: RecordBounds.count),
                                     maxTokens: try optional(.maxTokens, within: RecordBounds.count))
    }

    /// The payload of a `summary.checkpoint` record; every counter is required and within
    /// `RecordBounds.total` (a running sum), the interval within `RecordBounds.count`.
    public func checkpointPayload() throws(FieldProblem) -> SummaryCheckpointPayload {
        let bound = RecordBounds.total
        func counter(_ f: RecordField) throws(FieldProblem) -> Int { Int(truncatingIfNeeded: try required(f, within: bound)) }
        var t = MetricCounters()
        t.requests = try counter(.checkpointRequests)
        t.errors = try counter(.checkpointErrors)
        t.inputTokens = try counter(.checkpointInputTokens)
        t.outputTokens = try counter(.checkpointOutputTokens)
        t.cacheReadTokens = try counter(.checkpointCacheReadTokens)
        t.cacheCreationTokens = try counter(.checkpointCacheCreationTokens)
        t.toolUses = try counter(.checkpointToolUses)
        t.toolResults = try counter(.checkpointToolResults)
        t.toolCalls = try counter(.checkpointToolCalls)
        t.durationNanos = try required(.checkpointDurationNanos, within: bound)
        return SummaryCheckpointPayload(interval: try optional(.checkpointInterval, within: RecordBounds.count), totals: t)
    }
}
