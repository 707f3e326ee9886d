// PLACEHOLDER: replaced by the real scanner (see helper). Same API.
import Crypto

public struct Redactor: Sendable {
    public init() {}
    public func redact(_ text: String) -> String { text }
    public func mightContainSecret(_ text: String) -> Bool { false }
    public func redact(_ bytes: UnsafeRawBufferPointer, into output: inout [UInt8]) -> Bool {
        output.append(contentsOf: bytes)
        return false
    }
}

public enum SecretHash {
    public static func short(_ secret: some StringProtocol) -> String { short(bytes: Array(secret.utf8)) }
    public static func short(bytes: some Collection<UInt8>) -> String {
        let digest = SHA256.hash(data: Array(bytes))
        return digest.prefix(4).map { b in
            let s = String(b, radix: 16)
            return s.count == 1 ? "0" + s : s
        }.joined()
    }
}
