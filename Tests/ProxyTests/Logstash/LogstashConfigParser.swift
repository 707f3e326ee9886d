/// Recursive-descent parser for the Logstash configuration language (see `LogstashConfig`).
/// Works on bytes; comments run from `#` to the end of the line outside strings.
struct LogstashConfigParser {
    private let bytes: [UInt8]
    private let file: String
    private var at = 0

    static func parse(_ text: String, file: String) throws(LogstashConfigError) -> LogstashConfig {
        var parser = LogstashConfigParser(bytes: Array(text.utf8), file: file)
        return try parser.config()
    }

    private init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
    }

    // MARK: Grammar

    private mutating func config() throws(LogstashConfigError) -> LogstashConfig {
        var sections: [LogstashConfig.Section] = []
        skip()
        while !atEnd {
            let line = currentLine
            let kind = try identifier()
            guard LogstashConfig.sectionKinds.contains(kind) else { throw fail("unknown section '\(kind)' (input, filter or output)") }
            try expect("{")
            sections.append(.init(kind: kind, body: try nodes(), line: line))
            skip()
        }
        guard !sections.isEmpty else { throw fail("no section") }
        return LogstashConfig(sections: sections)
    }

    /// Plugins and branches up to the closing `}` (consumed).
    private mutating func nodes() throws(LogstashConfigError) -> [LogstashConfig.Node] {
        var out: [LogstashConfig.Node] = []
        while true {
            skip()
            if consume("}") { return out }
            if atEnd { throw fail("missing '}'") }
            if peekWord("if") {
                out.append(try branch())
            } else {
                out.append(.plugin(try plugin()))
            }
        }
    }

    private mutating func branch() throws(LogstashConfigError) -> LogstashConfig.Node {
        var clauses: [(condition: LogstashConfig.Condition?, body: [LogstashConfig.Node])] = []
        _ = try identifier()  // if
        let first = try condition()
        try expect("{")
        clauses.append((first, try nodes()))
        while true {
            skip()
            guard peekWord("else") else { break }
            _ = try identifier()
            skip()
            if peekWord("if") {
                _ = try identifier()
                let c = try condition()
                try expect("{")
                clauses.append((c, try nodes()))
            } else {
                try expect("{")
                clauses.append((nil, try nodes()))
                break
            }
        }
        return .branch(clauses)
    }

    private mutating func plugin() throws(LogstashConfigError) -> LogstashConfig.Plugin {
        try pluginBody(named: try name())
    }

    private mutating func value() throws(LogstashConfigError) -> LogstashConfig.Value {
        skip()
        guard let byte = peek else { throw fail("missing value") }
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "'"): return .string(try string())
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "{"): return try hash()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default:
            let word = try identifier()
            skip()
            if peek == UInt8(ascii: "{") { return .plugin(try pluginBody(named: word)) }
            return .bareword(word)
        }
    }

    /// `{ name => value … }` after a plugin's name (a section's plugin, or a codec as a value).
    private mutating func pluginBody(named name: String) throws(LogstashConfigError) -> LogstashConfig.Plugin {
        skip()
        let line = currentLine
        try expect("{")
        var attributes: [(name: String, value: LogstashConfig.Value)] = []
        while true {
            skip()
            if consume("}") { return .init(name: name, attributes: attributes, line: line) }
            if atEnd { throw fail("missing '}' of '\(name)'") }
            let key = try self.name()
            try expect("=>")
            attributes.append((key, try value()))
        }
    }

    private mutating func array() throws(LogstashConfigError) -> LogstashConfig.Value {
        try expect("[")
        var items: [LogstashConfig.Value] = []
        skip()
        if consume("]") { return .array(items) }
        while true {
            items.append(try value())
            skip()
            if consume("]") { return .array(items) }
            guard consume(",") else { throw fail("expected ',' or ']' in array") }
        }
    }

    private mutating func hash() throws(LogstashConfigError) -> LogstashConfig.Value {
        try expect("{")
        var entries: [(key: LogstashConfig.Value, value: LogstashConfig.Value)] = []
        while true {
            skip()
            if consume("}") { return .hash(entries) }
            if atEnd { throw fail("missing '}' of hash") }
            let key: LogstashConfig.Value
            switch peek ?? 0 {
            case UInt8(ascii: "\""), UInt8(ascii: "'"): key = .string(try string())
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): key = .number(try number())
            default: key = .bareword(try identifier())
            }
            try expect("=>")
            entries.append((key, try value()))
        }
    }

    // MARK: Conditions

    private mutating func condition() throws(LogstashConfigError) -> LogstashConfig.Condition {
        var left = try expression()
        while true {
            skip()
            guard let op = ["and", "or", "xor", "nand"].first(where: { peekWord($0) }) else { return left }
            at += op.utf8.count
            left = .combine(left, op, try expression())
        }
    }

    private mutating func expression() throws(LogstashConfigError) -> LogstashConfig.Condition {
        skip()
        if consume("(") {
            let inner = try condition()
            try expect(")")
            return inner
        }
        if peek == UInt8(ascii: "!"), peek(1) != UInt8(ascii: "=") && peek(1) != UInt8(ascii: "~") {
            at += 1
            skip()
            if consume("(") {
                let inner = try condition()
                try expect(")")
                return .not(inner)
            }
            return .not(.selector(try selector()))
        }
        let left = try rvalue()
        skip()
        for op in ["==", "!=", "<=", ">=", "=~", "!~", "<", ">"] where peekText(op) {
            at += op.utf8.count
            return .compare(left, op, try rvalue())
        }
        if peekWord("in") {
            at += 2
            return .compare(left, "in", try rvalue())
        }
        if peekWord("not") {
            at += 3
            skip()
            guard peekWord("in") else { throw fail("expected 'in' after 'not'") }
            at += 2
            return .compare(left, "not in", try rvalue())
        }
        return left
    }

    private mutating func rvalue() throws(LogstashConfigError) -> LogstashConfig.Condition {
        skip()
        switch peek ?? 0 {
        case UInt8(ascii: "["):
            // A selector `[a][b]` or an array literal `["a", "b"]`.
            if let next = peek(1), next == UInt8(ascii: "\"") || next == UInt8(ascii: "'") || next == UInt8(ascii: "]") {
                return .literal(try array())
            }
            return .selector(try selector())
        case UInt8(ascii: "\""), UInt8(ascii: "'"): return .literal(.string(try string()))
        case UInt8(ascii: "/"): return .regexp(try regexp())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .literal(.number(try number()))
        default: throw fail("expected a field reference, string, number or regexp")
        }
    }

    /// `[a][b.c]` → ["a", "b.c"]: selector elements are `[` anything but `]` and `,` `]`.
    private mutating func selector() throws(LogstashConfigError) -> [String] {
        skip()
        var path: [String] = []
        while consume("[") {
            let start = at
            while let b = peek, b != UInt8(ascii: "]"), b != UInt8(ascii: ","), b != UInt8(ascii: "\n") { at += 1 }
            guard at > start, consume("]") else { throw fail("malformed field reference") }
            path.append(String(decoding: bytes[start..<(at - 1)], as: UTF8.self))
        }
        guard !path.isEmpty else { throw fail("expected a field reference") }
        return path
    }

    // MARK: Lexemes

    private mutating func name() throws(LogstashConfigError) -> String {
        skip()
        if let b = peek, b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") { return try string() }
        return try identifier()
    }

    /// `[A-Za-z0-9_-]+` (plugin and attribute names) or a bareword.
    private mutating func identifier() throws(LogstashConfigError) -> String {
        skip()
        let start = at
        while let b = peek, Self.isWordByte(b) { at += 1 }
        guard at > start else { throw fail("expected a name") }
        return String(decoding: bytes[start..<at], as: UTF8.self)
    }

    /// Contents of a double- or single-quoted string, raw (Logstash only interprets escapes with
    /// `config.support_escapes`); a backslash before the quote does not end it.
    private mutating func string() throws(LogstashConfigError) -> String {
        guard let quote = peek else { throw fail("expected a string") }
        return try delimited(by: quote, what: "string")
    }

    private mutating func regexp() throws(LogstashConfigError) -> String {
        try delimited(by: UInt8(ascii: "/"), what: "regexp")
    }

    /// The text between the delimiter at the current position and the next unescaped one.
    private mutating func delimited(by delimiter: UInt8, what: String) throws(LogstashConfigError) -> String {
        let line = currentLine
        at += 1
        let start = at
        while let b = peek {
            if b == UInt8(ascii: "\\") { at += 2; continue }
            if b == delimiter {
                at += 1
                return String(decoding: bytes[start..<(at - 1)], as: UTF8.self)
            }
            at += 1
        }
        throw LogstashConfigError(file: file, line: line, column: 0, problem: "unterminated \(what)")
    }

    private mutating func number() throws(LogstashConfigError) -> String {
        let start = at
        _ = consume("-")
        while let b = peek, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) || b == UInt8(ascii: ".") { at += 1 }
        guard at > start else { throw fail("expected a number") }
        return String(decoding: bytes[start..<at], as: UTF8.self)
    }

    // MARK: Scanning

    private var atEnd: Bool { at >= bytes.count }
    private var peek: UInt8? { peek(0) }
    private func peek(_ offset: Int) -> UInt8? { at + offset < bytes.count ? bytes[at + offset] : nil }

    private static func isWordByte(_ b: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(b) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(b)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
    }

    private func peekText(_ text: String) -> Bool {
        let t = Array(text.utf8)
        return at + t.count <= bytes.count && Array(bytes[at..<(at + t.count)]) == t
    }

    /// `word` followed by something that cannot continue a name.
    private func peekWord(_ word: String) -> Bool {
        guard peekText(word) else { return false }
        guard let next = peek(word.utf8.count) else { return true }
        return !Self.isWordByte(next)
    }

    private mutating func consume(_ text: String) -> Bool {
        skip()
        guard peekText(text) else { return false }
        at += text.utf8.count
        return true
    }

    private mutating func expect(_ text: String) throws(LogstashConfigError) {
        guard consume(text) else { throw fail("expected '\(text)'") }
    }

    /// Whitespace and `#` comments.
    private mutating func skip() {
        while let b = peek {
            if b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") || b == UInt8(ascii: "\n") || b == UInt8(ascii: "\r") {
                at += 1
            } else if b == UInt8(ascii: "#") {
                while let c = peek, c != UInt8(ascii: "\n") { at += 1 }
            } else {
                return
            }
        }
    }

    private var currentLine: Int { bytes[..<min(at, bytes.count)].reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 } }

    private func fail(_ problem: String) -> LogstashConfigError {
        let line = currentLine
        let lineStart = bytes[..<min(at, bytes.count)].lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
        return LogstashConfigError(file: file, line: line, column: at - lineStart + 1, problem: problem)
    }
}
