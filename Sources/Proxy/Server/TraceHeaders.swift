import LogPipeline

/// W3C Trace Context (https://www.w3.org/TR/trace-context/): the client's `traceparent` and
/// `tracestate`, read strictly, and the pair vdm sends upstream. Attacker input: nothing of an invalid
/// header is kept, and what is kept has a fixed bound (ids: 48 bytes; tracestate: 512 bytes).
enum TraceHeaders {
    /// The client's trace (nil: absent or invalid, so vdm starts a new one).
    struct Parent: Sendable, Equatable {
        var traceID: String
        var parentID: String
        var flags: UInt8
    }

    /// Most list members a kept `tracestate` has (the spec's limit).
    static let maxStateMembers = 32
    /// Longest `tracestate` kept and sent on (the spec asks to propagate at least 512 characters;
    /// longer ones are cut, members over 128 characters first, as the spec says).
    static let maxStateBytes = TraceIDs.maxStateBytes
    /// A raw `tracestate` longer than this is dropped unread: no valid 32-member list with plain
    /// separators is (32 × (256 + 1 + 256) + 31 bytes).
    static let maxRawStateBytes = 16_447

    /// The trace context of a request from its headers (all `traceparent` values, all `tracestate`
    /// values): the client's trace when valid, a new one otherwise; always a new span for vdm.
    static func context(traceparent: [String], tracestate: [String]) -> TraceIDs {
        var random = SystemRandomNumberGenerator()
        return context(traceparent: traceparent, tracestate: tracestate, using: &random)
    }

    static func context<G: RandomNumberGenerator>(traceparent: [String], tracestate: [String], using g: inout G) -> TraceIDs {
        // Two traceparent headers cannot both be the parent: treated as none. Without a valid
        // parent, tracestate is not read (the spec) and the new trace is sampled (vdm records all).
        guard traceparent.count == 1, let parent = parse(traceparent[0]) else {
            return TraceIDs.span(inTrace: nil, flags: 0x01, state: nil, using: &g)
        }
        return TraceIDs.span(inTrace: parent.traceID, flags: parent.flags, state: state(tracestate), using: &g)
    }

    /// A `traceparent` value (version-format of the spec): version 00 exactly 55 characters; a later
    /// version (not `ff`) at least 55, its first 55 read as version 00 and the rest ignored when it
    /// starts with `-`. Lowercase hex only; all-zero trace-id or parent-id is invalid.
    static func parse(_ value: String) -> Parent? {
        let b = Array(value.utf8.prefix(56))
        guard b.count >= 55, isHex(b[0]), isHex(b[1]) else { return nil }
        let version = hexByte(b[0], b[1])
        if version == 0xFF { return nil }
        if version == 0 {
            guard b.count == 55 else { return nil }
        } else if b.count > 55, b[55] != UInt8(ascii: "-") {
            return nil
        }
        guard b[2] == UInt8(ascii: "-"), b[35] == UInt8(ascii: "-"), b[52] == UInt8(ascii: "-"),
              isHex(b[53]), isHex(b[54]) else { return nil }
        let traceID = String(decoding: b[3..<35], as: UTF8.self)
        let parentID = String(decoding: b[36..<52], as: UTF8.self)
        guard TraceIDs.isID(traceID, digits: 32), TraceIDs.isID(parentID, digits: 16) else { return nil }
        return Parent(traceID: traceID, parentID: parentID, flags: hexByte(b[53], b[54]))
    }

    /// The `tracestate` to keep and send on: its members when every one is valid, there are at most
    /// 32 and the keys are distinct, cut to 512 bytes; nil otherwise (dropped whole, as the spec says
    /// of an unparsable one).
    static func state(_ values: [String]) -> String? {
        var rawBytes = 0
        for v in values { rawBytes += v.utf8.count; if rawBytes > maxRawStateBytes { return nil } }
        var members: [Substring] = []
        var keys: Set<Substring> = []
        for value in values {
            for piece in value.split(separator: ",", omittingEmptySubsequences: false) {
                let member = piece.trimmingOWS()
                if member.isEmpty { continue }  // empty list members are allowed and ignored
                guard let key = stateKey(of: member), keys.insert(key).inserted else { return nil }
                members.append(member)
                if members.count > maxStateMembers { return nil }
            }
        }
        while !members.isEmpty, members.reduce(-1, { $0 + $1.utf8.count + 1 }) > maxStateBytes {
            if let long = members.lastIndex(where: { $0.utf8.count > 128 }) { members.remove(at: long) } else { members.removeLast() }
        }
        return members.isEmpty ? nil : members.joined(separator: ",")
    }

    /// The key of a valid list member `key=value`, nil when either part breaks the spec's grammar.
    static func stateKey(of member: Substring) -> Substring? {
        guard let eq = member.firstIndex(of: "=") else { return nil }
        let key = member[..<eq], value = member[member.index(after: eq)...]
        guard isKey(key), isValue(value) else { return nil }
        return key
    }

    /// `simple-key` or `tenant-id@system-id`.
    static func isKey(_ key: Substring) -> Bool {
        let parts = key.split(separator: "@", omittingEmptySubsequences: false)
        func keyChar(_ c: UInt8) -> Bool {
            isLowerAlpha(c) || isDigit(c) || c == UInt8(ascii: "_") || c == UInt8(ascii: "-") || c == UInt8(ascii: "*") || c == UInt8(ascii: "/")
        }
        func run(_ s: Substring, first: (UInt8) -> Bool, max: Int) -> Bool {
            let u = Array(s.utf8)
            guard let f = u.first, first(f), u.count <= max else { return false }
            return u.dropFirst().allSatisfy(keyChar)
        }
        switch parts.count {
        case 1: return run(parts[0], first: isLowerAlpha, max: 256)
        case 2: return run(parts[0], first: { isLowerAlpha($0) || isDigit($0) }, max: 241) && run(parts[1], first: isLowerAlpha, max: 14)
        default: return false
        }
    }

    /// `0*255(chr) nblk-chr`: printable ASCII without `,` and `=`, spaces inside only.
    static func isValue(_ value: Substring) -> Bool {
        let u = Array(value.utf8)
        guard let last = u.last, u.count <= 256, last != UInt8(ascii: " ") else { return false }
        return u.allSatisfy { $0 >= 0x20 && $0 <= 0x7E && $0 != UInt8(ascii: ",") && $0 != UInt8(ascii: "=") }
    }

    /// The `traceparent` vdm sends upstream: the trace, vdm's span as the parent, the flags.
    static func upstreamTraceparent(_ ids: TraceIDs) -> String {
        let hex = Array("0123456789abcdef".utf8)
        let flags = String(decoding: [hex[Int(ids.flags >> 4)], hex[Int(ids.flags & 0x0F)]], as: UTF8.self)
        return "00-\(ids.traceID)-\(ids.spanID)-\(flags)"
    }

    private static func isHex(_ c: UInt8) -> Bool { isDigit(c) || (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "f")) }
    private static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
    private static func isLowerAlpha(_ c: UInt8) -> Bool { c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z") }
    private static func nibble(_ c: UInt8) -> UInt8 { isDigit(c) ? c - UInt8(ascii: "0") : c - UInt8(ascii: "a") + 10 }
    private static func hexByte(_ hi: UInt8, _ lo: UInt8) -> UInt8 { nibble(hi) << 4 | nibble(lo) }
}

extension Substring {
    /// Without the optional white space (spaces and tabs) around a list member.
    fileprivate func trimmingOWS() -> Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return s
    }
}
