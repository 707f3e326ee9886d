/// The tail of the per-request DEBUG `MODEL` line: which rule decided the resolved model.
enum ModelResolutionLine {
    static func how(_ requested: String, via: [String]) -> String {
        if !via.isEmpty { return "Alias: " + via.joined(separator: " → ") }
        return requested.hasPrefix("!") && requested.count > 1 ? "Alias: bypassed (!)" : "Alias: none"
    }
}
