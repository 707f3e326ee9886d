extension RequestMetrics {
    /// These metrics with every string that came from a client or an upstream redacted, then clipped
    /// to its `RecordBounds` length. The proxy applies it where a request's metrics enter the tracker
    /// (start, end), so the live views, the records and replay all hold the same, secret-free value.
    /// Idempotent: a redacted value is never matched again.
    public func redacted(by redactor: Redactor) -> RequestMetrics {
        var m = self
        m.requestedModel = redactor.kept(requestedModel, maxBytes: RecordBounds.maxModelBytes)
        m.resolvedModel = redactor.kept(resolvedModel, maxBytes: RecordBounds.maxModelBytes)
        m.provider = redactor.kept(provider, maxBytes: RecordBounds.maxModelBytes)
        m.error = error.map { redactor.kept($0, maxBytes: RecordBounds.maxErrorMessageBytes) }
        m.errorType = errorType.map { redactor.kept($0, maxBytes: RecordBounds.maxErrorTypeBytes) }
        m.stopReason = stopReason.map { redactor.kept($0, maxBytes: RecordBounds.maxStopReasonBytes) }
        m.clientRequestID = clientRequestID.map { redactor.kept($0, maxBytes: RecordBounds.maxClientRequestIDBytes) }
        return m
    }
}
