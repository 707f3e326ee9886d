/// A JSON document as a value.
///
/// - Numbers keep their literal text (`.number("1.50")`), so re-encoding a parsed document never changes a
///   number (no float rounding, no `1` → `1.0`, big integers stay exact).
/// - Objects are an ORDERED list of members, so output is deterministic and key order is preserved.
///   Duplicate keys are kept as parsed; the key subscript returns the LAST occurrence (what most JSON
///   parsers, including Python's and JavaScript's, do).
///
/// Equality is structural and literal: `.number("1")` and `.number("1.0")` are different values, and
/// objects compare member by member in order.
package enum JSONValue: Sendable {
    case null
    case bool(Bool)
    /// The number exactly as written in the source (or as produced by `init(_: Int)`).
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])
}

extension JSONValue: Equatable {
    package static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null):
            return true
        case let (.bool(a), .bool(b)):
            return a == b
        case let (.number(a), .number(b)):
            return a == b
        case let (.string(a), .string(b)):
            return a == b
        case let (.array(a), .array(b)):
            return a == b
        case let (.object(a), .object(b)):
            guard a.count == b.count else { return false }
            for (x, y) in zip(a, b) where x.key != y.key || x.value != y.value {
                return false
            }
            return true
        default:
            return false
        }
    }
}

// MARK: - Construction

extension JSONValue {
    /// An integer number.
    package init(_ int: Int) {
        self = .number(String(int))
    }

    /// A string value.
    package init(_ string: String) {
        self = .string(string)
    }

    /// A boolean value.
    package init(_ bool: Bool) {
        self = .bool(bool)
    }

    /// `.string(value)` or `.null` when `value` is nil.
    package static func stringOrNull(_ value: String?) -> JSONValue {
        value.map { .string($0) } ?? .null
    }
}

extension JSONValue: ExpressibleByNilLiteral {
    package init(nilLiteral: ()) { self = .null }
}

extension JSONValue: ExpressibleByBooleanLiteral {
    package init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension JSONValue: ExpressibleByIntegerLiteral {
    package init(integerLiteral value: Int) { self = .number(String(value)) }
}

extension JSONValue: ExpressibleByFloatLiteral {
    /// Uses Swift's shortest round-tripping description (`0.7` → `"0.7"`).
    package init(floatLiteral value: Double) { self = .number(String(describing: value)) }
}

extension JSONValue: ExpressibleByStringLiteral {
    package init(stringLiteral value: String) { self = .string(value) }
}

extension JSONValue: ExpressibleByArrayLiteral {
    package init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
}

extension JSONValue: ExpressibleByDictionaryLiteral {
    /// Keeps the literal's key order.
    package init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(elements.map { (key: $0.0, value: $0.1) })
    }
}

// MARK: - Accessors

extension JSONValue {
    /// The value of the LAST member named `key` when this is an object; nil otherwise.
    package subscript(key: String) -> JSONValue? {
        guard case let .object(members) = self else { return nil }
        for member in members.reversed() where member.key == key {
            return member.value
        }
        return nil
    }

    /// The element at `index` when this is an array and the index is in range; nil otherwise.
    package subscript(index: Int) -> JSONValue? {
        guard case let .array(items) = self, items.indices.contains(index) else { return nil }
        return items[index]
    }

    package var string: String? {
        if case let .string(s) = self { return s }
        return nil
    }

    package var bool: Bool? {
        if case let .bool(b) = self { return b }
        return nil
    }

    /// The number as an `Int` when its literal is an integer that fits (also accepts `3.0` and `1e3`
    /// when they are exact integers); nil otherwise.
    package var int: Int? {
        guard case let .number(text) = self else { return nil }
        if let exact = Int(text) { return exact }
        return Self.exactInteger(fromNumberLiteral: text)
    }

    /// The exact integer value of a JSON number literal with a fraction or exponent (`3.0`, `1e3`,
    /// `-2.50E+1`), or nil when it is not an integer or does not fit in `Int`. Pure integer arithmetic.
    private static func exactInteger(fromNumberLiteral text: String) -> Int? {
        var negative = false
        var digits: [UInt8] = []
        var fractionDigits = 0
        var exponent = 0
        var exponentNegative = false
        var section = 0 // 0 integer part, 1 fraction, 2 exponent
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "-") where section == 0 && digits.isEmpty:
                negative = true
            case UInt8(ascii: "-") where section == 2:
                exponentNegative = true
            case UInt8(ascii: "+") where section == 2:
                continue
            case UInt8(ascii: "."):
                section = 1
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                section = 2
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                let digit = Int(byte - UInt8(ascii: "0"))
                if section == 2 {
                    guard exponent < 10_000 else { return nil }
                    exponent = exponent * 10 + digit
                } else {
                    digits.append(byte)
                    if section == 1 { fractionDigits += 1 }
                }
            default:
                return nil
            }
        }
        var scale = (exponentNegative ? -exponent : exponent) - fractionDigits
        while scale < 0, digits.last == UInt8(ascii: "0") {
            digits.removeLast()
            scale += 1
        }
        guard scale >= 0 else { return nil }
        var value = 0
        for byte in digits {
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = shifted.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { return nil }
            value = sum
        }
        for _ in 0..<scale where value != 0 {
            let (shifted, overflow) = value.multipliedReportingOverflow(by: 10)
            guard !overflow else { return nil }
            value = shifted
        }
        return negative ? -value : value
    }

    package var double: Double? {
        guard case let .number(text) = self else { return nil }
        return Double(text)
    }

    package var array: [JSONValue]? {
        if case let .array(items) = self { return items }
        return nil
    }

    package var object: [(key: String, value: JSONValue)]? {
        if case let .object(members) = self { return members }
        return nil
    }

    package var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// A short name of the value's kind, for error messages.
    var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

// MARK: - Building objects

extension JSONValue {
    /// Returns a copy of this object with `key` set to `value`: replaces the last existing member of that
    /// name in place (keeping its position) or appends a new member. Non-objects are returned unchanged.
    package func setting(_ key: String, to value: JSONValue) -> JSONValue {
        guard case var .object(members) = self else { return self }
        if let position = members.lastIndex(where: { $0.key == key }) {
            members[position].value = value
        } else {
            members.append((key: key, value: value))
        }
        return .object(members)
    }
}
