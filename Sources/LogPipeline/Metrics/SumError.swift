/// Why a request or a partial result was not summed: a value outside `RecordBounds`, or a sum that
/// would pass `RecordBounds.total`. The sum is left as it was (adds are all-or-nothing).
public enum SumError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A value of the request is outside its documented bound.
    case outOfBounds(BoundViolation)
    /// Adding would take this running total (named as in the running totals) past `RecordBounds.total`.
    case totalExceeded(field: String)
    /// A value of a stored partial result (a `--state` file) is outside its bound or inconsistent.
    case invalidPartial(String)

    public var description: String {
        switch self {
        case .outOfBounds(let v): "out of bounds: \(v)"
        case .totalExceeded(let field): "\(field) would pass the bound of every total (\(RecordBounds.total.upperBound))"
        case .invalidPartial(let why): "invalid partial totals: \(why)"
        }
    }
}
