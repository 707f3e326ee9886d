/// Keeps free text on one line for the console and syslog: control characters and newlines become
/// visible escapes (`\n`, `\r`, `\t`, `\x1b`), so a model name or header can never forge a log line.
package enum LineEscaper {
    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    package static func append<O: ByteOutput & ~Copyable>(_ text: String, to out: inout O) {
        var text = text
        text.withUTF8 { buf in
            var start = 0
            for i in 0..<buf.count {
                let c = buf[i]
                guard c < 0x20 || c == 0x7F || c == UInt8(ascii: "\\") else { continue }
                if start < i { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buf)[start..<i])) }
                out.append(UInt8(ascii: "\\"))
                switch c {
                case 0x0A: out.append(UInt8(ascii: "n"))
                case 0x0D: out.append(UInt8(ascii: "r"))
                case 0x09: out.append(UInt8(ascii: "t"))
                case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
                default:
                    out.append(UInt8(ascii: "x"))
                    out.append(hex[Int(c >> 4)])
                    out.append(hex[Int(c & 0xF)])
                }
                start = i + 1
            }
            if start < buf.count { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buf)[start...])) }
        }
    }

    package static func escaped(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        append(text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
