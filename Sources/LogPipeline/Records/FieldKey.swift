/// The name of a structured-payload field: a compile-time constant of plain `[a-z0-9._@]`.
///
/// A `StaticString`, not a `String`: the JSON encoder copies its bytes straight into the line (no
/// String storage checks, no retain/release, no escape scan), which is most of a record's keys.
public struct FieldKey: Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let utf8: StaticString

    public init(stringLiteral value: StaticString) {
        precondition(value.hasPointerRepresentation, "field names are string literals")
        utf8 = value
    }

    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: utf8.utf8Start, count: utf8.utf8CodeUnitCount) }

    /// The name as a `String`, for the readers and the journald namer.
    public var name: String { String(decoding: bytes, as: UTF8.self) }
    public var description: String { name }

    public static func == (a: FieldKey, b: FieldKey) -> Bool { a.bytes.elementsEqual(b.bytes) }
    public func hash(into hasher: inout Hasher) { hasher.combine(bytes: bytes) }
}
