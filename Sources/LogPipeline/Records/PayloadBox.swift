public import Logging

enum PayloadKey {
    static let name = "vdm.event"
}

extension Logger.Metadata {
    /// Metadata carrying a structured payload; log it with `logger.info("…", metadata: .payload(p))`.
    public static func payload(_ payload: some StructuredPayload) -> Logger.Metadata {
        [PayloadKey.name: .stringConvertible(PayloadBox(payload: payload))]
    }
}

/// Carries a payload through swift-log's metadata. A concrete final class, so the router's cast back
/// is a class check instead of a protocol-conformance lookup on every record.
final class PayloadBox: CustomStringConvertible, Sendable {
    let payload: any StructuredPayload
    init(payload: any StructuredPayload) { self.payload = payload }
    var description: String { payload.description }
}
