/// Decoding of a JSON string body already validated by `JSONScan.string` (so every escape is well
/// formed and every raw byte is UTF-8).
package enum JSONUnescape {
    /// Appends the decoded bytes of the body `p[start..<end]` to `out`. A `\u` escape naming a lone
    /// surrogate has no UTF-8 form: replay reports it rather than guess (returns false); the proxy,
    /// which must accept what JSON allows, passes `replacingLoneSurrogates` and gets U+FFFD (a high
    /// surrogate followed by another escape leaves that escape to be read on its own).
    package static func append(
        _ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, to out: inout [UInt8], replacingLoneSurrogates: Bool = false
    ) -> Bool {
        var i = start
        var run = start
        while i < end {
            guard p[i] == UInt8(ascii: "\\"), i + 1 < end else { i += 1; continue }
            if run < i { out.append(contentsOf: UnsafeBufferPointer(start: p + run, count: i - run)) }
            let e = p[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard let unit = hex4(p, i, end) else { return false }
                i += 4
                var scalar = unit
                if (0xD800...0xDBFF).contains(unit) {
                    if i + 6 <= end, p[i] == UInt8(ascii: "\\"), p[i + 1] == UInt8(ascii: "u"),
                       let low = hex4(p, i + 2, end), (0xDC00...0xDFFF).contains(low) {
                        i += 6
                        scalar = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        guard replacingLoneSurrogates else { return false }
                        scalar = 0xFFFD
                    }
                } else if (0xDC00...0xDFFF).contains(unit) {
                    guard replacingLoneSurrogates else { return false }
                    scalar = 0xFFFD
                }
                appendUTF8(scalar, to: &out)
            default: out.append(e)  // \" \\ \/
            }
            run = i
        }
        if run < end { out.append(contentsOf: UnsafeBufferPointer(start: p + run, count: end - run)) }
        return true
    }

    private static func hex4(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int) -> UInt32? {
        guard i + 4 <= end else { return nil }
        var v: UInt32 = 0
        for k in i..<(i + 4) {
            guard let d = JSONScan.hexValue(p[k]) else { return nil }
            v = v << 4 | d
        }
        return v
    }

    private static func appendUTF8(_ s: UInt32, to out: inout [UInt8]) {
        switch s {
        case 0..<0x80:
            out.append(UInt8(s))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | s >> 6))
            out.append(UInt8(0x80 | s & 0x3F))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | s >> 12))
            out.append(UInt8(0x80 | s >> 6 & 0x3F))
            out.append(UInt8(0x80 | s & 0x3F))
        default:
            out.append(UInt8(0xF0 | s >> 18))
            out.append(UInt8(0x80 | s >> 12 & 0x3F))
            out.append(UInt8(0x80 | s >> 6 & 0x3F))
            out.append(UInt8(0x80 | s & 0x3F))
        }
    }
}
