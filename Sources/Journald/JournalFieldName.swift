import LogPipeline

/// journald field names for vdm's dotted record keys.
///
/// journald silently drops a field whose name is invalid (`journal_field_valid()`: 1–64 characters of
/// `A–Z`, `0–9`, `_`, not starting with a digit or, for clients, `_`), so every name we send is built
/// here and is valid by construction. The mapping is mechanical so a reader can derive it from
/// docs/log-schema.md: drop a leading `vdm.`, upper-case, anything outside `[A-Z0-9_]` becomes `_`,
/// prefix `VDM_` (payload fields) or `VDM_LABEL_` (other metadata).
public enum JournalFieldName {
    public static let maxLength = 64

    /// The fields of the envelope, sent on every record (see docs/journald.md).
    public static let correlationID = "VDM_CORRELATION_ID"
    public static let correlationPrefix = "VDM_CORRELATION_PREFIX"
    public static let instanceID = "VDM_INSTANCE_ID"
    public static let sequence = "VDM_SEQUENCE"
    public static let logger = "VDM_LOGGER"
    public static let schema = "VDM_SCHEMA"
    public static let level = "VDM_LOG_LEVEL"
    public static let originalLevel = "VDM_ORIGINAL_LEVEL"
    public static let eventAction = "VDM_EVENT_ACTION"
    public static let ecsJSON = "VDM_ECS_JSON"
    /// `trace.id` / `span.id` (W3C trace context). `VDM_`-prefixed like every field of ours, and what
    /// the mechanical mapping of the ECS names gives: journald defines no trace field of its own.
    public static let traceID = "VDM_TRACE_ID"
    public static let spanID = "VDM_SPAN_ID"

    static let envelope: [String] = [
        correlationID, correlationPrefix, instanceID, sequence, logger, schema, level, originalLevel,
        eventAction, ecsJSON, traceID, spanID,
    ]

    /// `gen_ai.usage.output_tokens` → `VDM_GEN_AI_USAGE_OUTPUT_TOKENS`, `vdm.tool_calls` → `VDM_TOOL_CALLS`.
    public static func forField(_ key: String) -> String { build(prefix: "VDM_", key: key) }

    /// Metadata labels (`labels.*` in ECS): `client.name` → `VDM_LABEL_CLIENT_NAME`.
    public static func forLabel(_ key: String) -> String { build(prefix: "VDM_LABEL_", key: key) }

    /// What `journal_field_valid()` accepts from a client.
    public static func isValid(_ name: some StringProtocol) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, bytes.count <= maxLength else { return false }
        guard first != UInt8(ascii: "_"), !isDigit(first) else { return false }
        return bytes.allSatisfy { isUpper($0) || isDigit($0) || $0 == UInt8(ascii: "_") }
    }

    private static func build(prefix: String, key: String) -> String {
        var body = Substring(key)
        if body.hasPrefix("vdm.") { body = body.dropFirst(4) }
        var out = Array(prefix.utf8)
        out.reserveCapacity(prefix.utf8.count + body.utf8.count)
        for byte in body.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"): out.append(byte - 32)
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"):
                out.append(byte)
            default: out.append(UInt8(ascii: "_"))  // `.`, `-`, spaces, each byte of non-ASCII
            }
        }
        if out.count > maxLength {
            // Keep it readable and still distinct: the start of the name plus a hash of the whole key.
            out.removeSubrange((maxLength - 9)...)
            out.append(UInt8(ascii: "_"))
            out.append(contentsOf: SecretHash.short(key).uppercased().utf8)
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func isUpper(_ b: UInt8) -> Bool { b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z") }
    private static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
}

/// Hands out the names of one entry, so two keys that map to the same name (`a.b` and `a_b`) both
/// survive: the later one gets `_2`, `_3`, … in visiting order (payload order, then labels sorted by
/// key), which is deterministic for a given record.
struct JournalFieldNamer {
    private var used: Set<String>

    init() { used = Set(JournalFieldName.envelope) }

    mutating func reset() {
        used.removeAll(keepingCapacity: true)
        used.formUnion(JournalFieldName.envelope)
    }

    mutating func claim(_ name: String) -> String {
        if used.insert(name).inserted { return name }
        var n = 2
        while true {
            let suffix = "_\(n)"
            let name = String(name.prefix(JournalFieldName.maxLength - suffix.count)) + suffix
            if used.insert(name).inserted { return name }
            n += 1
        }
    }
}
