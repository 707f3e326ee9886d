import Logging

/// A record's metadata with the correlation id and the structured payload taken out.
struct LiftedMetadata {
    var correlationID: String?
    /// The id as the logger's or the call's own metadata gave it (not the task-local's): what a line
    /// logged outside its request's task can be trusted to say.
    var declaredID: String?
    /// The trace a logger's own metadata declared with the id (`CorrelationContext.traceMetadata`).
    var declaredTrace: TraceIDs?
    var payload: (any StructuredPayload)?
    var metadata: Logger.Metadata = [:]

    /// Reads `source` entry by entry (a log call's metadata has one or two): the special keys are
    /// compared, not hashed; anything else is merged, overriding what earlier sources set.
    mutating func absorb(_ source: Logger.Metadata, payloads: Bool = false, declared: Bool = true) {
        for (key, value) in source {
            if key == CorrelationContext.metadataKey {
                correlationID = Self.text(value)
                if declared { declaredID = correlationID }
            } else if declared, key == CorrelationContext.traceMetadataKey, case .stringConvertible(let carried) = value,
                      let box = carried as? CorrelationContext.TraceBox {
                declaredTrace = box.trace
            } else if payloads, key == PayloadKey.name, case .stringConvertible(let carried) = value, let box = carried as? PayloadBox {
                payload = box.payload
            } else {
                metadata[key] = value
            }
        }
    }

    private static func text(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let s): s
        case .stringConvertible(let c): c.description
        default: value.description
        }
    }
}
