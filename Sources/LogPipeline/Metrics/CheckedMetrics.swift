/// A completed request's metrics checked against `RecordBounds` where they were made (replay's
/// parser checks every completed record it reads), so that adding them to an aggregate does not
/// check them a second time. The check is the only way to make one.
package struct CheckedMetrics: Sendable {
    package let metrics: RequestMetrics

    /// `m`, or the first of its values outside its bound.
    package init(_ m: RequestMetrics) throws(BoundViolation) {
        if let violation = RecordBounds.violation(in: m) { throw violation }
        metrics = m
    }
}
