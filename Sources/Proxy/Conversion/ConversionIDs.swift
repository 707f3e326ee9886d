/// Random identifiers for messages and tool calls the upstream did not name.
package enum ConversionIDs {
    private static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)
    /// Characters taken from one 64-bit word: its value modulo 62^8, which goes into 2^64 some
    /// 84,000 times, so every 8-digit string is equally likely to within 1 part in 84,000.
    private static let digitsPerWord = 8
    private static let length = 24

    /// `prefix` followed by 24 random base-62 characters, e.g. `toolu_01AbC…`. Three draws from the
    /// system generator (each is a `getrandom` syscall; one per character was 2% of a streamed request).
    package static func random(prefix: String) -> String {
        var generator = SystemRandomNumberGenerator()
        return random(prefix: prefix, using: &generator)
    }

    package static func random<G: RandomNumberGenerator>(prefix: String, using generator: inout G) -> String {
        var out = Array(prefix.utf8)
        out.reserveCapacity(out.count + length)
        let radix = UInt64(alphabet.count)
        var word: UInt64 = 0
        for i in 0..<length {
            if i % digitsPerWord == 0 { word = generator.next() }
            out.append(alphabet[Int(word % radix)])
            word /= radix
        }
        return String(decoding: out, as: UTF8.self)
    }
}
