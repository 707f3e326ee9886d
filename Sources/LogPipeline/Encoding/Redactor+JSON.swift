/// The JSON encoder's string values: redacted and escaped in as few reads as possible.
extension Redactor {
    /// `text` as a JSON string, secrets redacted. A string too short to hold a secret is escaped
    /// straight away; a longer one is read once by the secret scanner, which also notes whether any
    /// byte needs an escape, and when none does it is copied whole (the common case: a clean message).
    @inline(__always)
    func writeJSONString(_ text: String, to out: inout ByteCursor) {
        // Borrowed, not copied into a `var` for `withUTF8`: that copy cost a retain and a release.
        if text.utf8.withContiguousStorageIfAvailable({ writeJSONString(UnsafeRawBufferPointer($0), to: &out) }) == nil {
            var text = text
            text.withUTF8 { writeJSONString(UnsafeRawBufferPointer($0), to: &out) }
        }
    }

    func writeJSONString(_ raw: UnsafeRawBufferPointer, to out: inout ByteCursor) {
        let scanner = SecretScanner(raw, values: secrets)
        guard raw.count >= scanner.shortestMatch else {
            out.writeJSONString(raw)
            return
        }
        var escapes = true
        if let first = scanner.firstSecret(escapes: &escapes) {
            var redacted: [UInt8] = []
            redacted.reserveCapacity(raw.count + 32)
            scanner.redactAll(startingWith: first, into: &redacted)
            redacted.withUnsafeBytes { out.writeJSONString($0) }
        } else if escapes {
            out.writeJSONString(raw)
        } else {
            out.writeQuoted(raw)
        }
    }
}
