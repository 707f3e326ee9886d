/// Receives the typed fields of a structured payload, in the payload's own order.
/// Each sink implements it for its own output (JSON keys, journald fields, …).
public protocol LogFieldVisitor {
    mutating func visit(_ key: FieldKey, int value: Int64)
    mutating func visit(_ key: FieldKey, string value: String)
    mutating func visit(_ key: FieldKey, bool value: Bool)
}

/// A typed event carried through swift-log as one metadata value (`StructuredPayload.metadataKey`).
///
/// swift-log metadata is a string-keyed dictionary: no key order, integers stringified. The records
/// the analyzer replays must be lossless and ordered, so the tracker attaches its fields as one typed
/// value; our sinks visit it field by field, and any other handler still prints its `description`.
public protocol StructuredPayload: Sendable, CustomStringConvertible {
    /// `event.action`, e.g. `request.completed`.
    var action: String { get }
    /// Visits every field, in a fixed order. Keys are full dotted ECS/vdm names (`FieldName`): constants
    /// of plain `[a-z0-9._@]` (the JSON encoder copies them without escaping; journald derives its names).
    func visitFields<V: LogFieldVisitor>(_ visitor: inout V)
    /// The JSON encoder's way in: `visitFields` specialized for its writer, so the hot path makes
    /// direct, inlinable calls (constant key lengths) instead of one witness call per field. Keep
    /// the default.
    func writeJSONFields(_ writer: inout JSONFieldWriter)
}

extension StructuredPayload {
    public static var metadataKey: String { "vdm.event" }

    public func writeJSONFields(_ writer: inout JSONFieldWriter) { visitFields(&writer) }

    public var description: String {
        var collector = DescriptionCollector()
        visitFields(&collector)
        return "\(action) {" + collector.parts.joined(separator: ", ") + "}"
    }
}

private struct DescriptionCollector: LogFieldVisitor {
    var parts: [String] = []
    mutating func visit(_ key: FieldKey, int value: Int64) { parts.append("\(key.name)=\(value)") }
    mutating func visit(_ key: FieldKey, string value: String) { parts.append("\(key.name)=\(value)") }
    mutating func visit(_ key: FieldKey, bool value: Bool) { parts.append("\(key.name)=\(value)") }
}
