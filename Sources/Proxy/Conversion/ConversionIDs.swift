/// Random identifiers for messages and tool calls the upstream did not name.
enum ConversionIDs {
    private static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

    /// `prefix` followed by 24 random base-62 characters, e.g. `toolu_01AbC…`.
    static func random(prefix: String) -> String {
        var generator = SystemRandomNumberGenerator()
        var result = prefix
        for _ in 0..<24 {
            result.append(alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))])
        }
        return result
    }
}
