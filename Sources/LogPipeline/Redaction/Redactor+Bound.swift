extension Redactor {
    /// The longest output `redact` can give for an input of `inputLength` bytes:
    /// `n + 11 * (n / 8)`, at most 19/8 of the input (saturating at `Int.max`).
    ///
    /// Why: only a secret is replaced, by the 19-byte `[redacted:xxxxxxxx]`, and the shortest secret
    /// any rule accepts is 8 bytes (rules 3 and 4: ≥ 8 value chars; rule 1 needs 23, rule 2 16).
    /// Replacements never overlap, so each 8 input bytes grow by at most 11. The fuzz target
    /// `redactor` checks it on every input.
    public static func maxOutputLength(forInputLength n: Int) -> Int {
        guard n > 0 else { return 0 }
        let growth = (n / Rules.minNamedValueLength).multipliedReportingOverflow(by: markerLength - Rules.minNamedValueLength)
        let total = n.addingReportingOverflow(growth.partialValue)
        return growth.overflow || total.overflow ? Int.max : total.partialValue
    }

    /// `[redacted:` + 8 hex digits + `]`.
    static let markerLength = Rules.markerPrefix.utf8CodeUnitCount + 8 + 1
}
