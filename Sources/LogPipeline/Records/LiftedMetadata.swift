import Logging

/// A record's metadata with the correlation id and the structured payload taken out.
struct LiftedMetadata {
    var correlationID: String?
    /// The id as the logger's or the call's own metadata gave it (not the task-local's): what a line
    /// logged outside its request's task can be trusted to say.
    var declaredID: String?
    /// The trace a logger's own metadata declared together with `declaredID`, in the same source
    /// (`CorrelationContext.traceMetadata`): a later source naming another id does not inherit it.
    var declaredTrace: TraceIDs? {
        guard let traced, let owner = traced.owner, owner == declaredID else { return nil }
        return traced.trace
    }
    private var traced: (trace: TraceIDs, owner: String?)?
    var payload: (any StructuredPayload)?
    var metadata: Logger.Metadata = [:]

    /// Reads `source` entry by entry (a log call's metadata has one or two): the special keys are
    /// compared, not hashed; anything else is merged, overriding what earlier sources set.
    mutating func absorb(_ source: Logger.Metadata, payloads: Bool = false, declared: Bool = true) {
        var sourceID: String?
        var sourceTrace: TraceIDs?
        for (key, value) in source {
            if key == CorrelationContext.metadataKey {
                correlationID = Self.text(value)
                sourceID = correlationID
                if declared { declaredID = correlationID }
            } else if declared, key == CorrelationContext.traceMetadataKey, case .stringConvertible(let carried) = value,
                      let box = carried as? CorrelationContext.TraceBox {
                sourceTrace = box.trace
            } else if payloads, key == PayloadKey.name, case .stringConvertible(let carried) = value, let box = carried as? PayloadBox {
                payload = box.payload
            } else {
                metadata[key] = value
            }
        }
        if let sourceTrace { traced = (sourceTrace, sourceID) }
    }

    private static func text(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let s): s
        case .stringConvertible(let c): c.description
        default: value.description
        }
    }
}
