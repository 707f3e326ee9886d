/// A parsed Logstash pipeline configuration (the LSCL grammar of logstash-core's `treetop`
/// definition, `lib/logstash/config/grammar.treetop`): sections of plugins and `if`/`else` branches.
/// Logstash cannot run here, so the tests parse the shipped `.conf` files with this and check what
/// they reference; a file this parser rejects has unbalanced braces, brackets or quotes, a section
/// other than input/filter/output, or a malformed attribute or condition.
struct LogstashConfig {
    var sections: [Section]

    struct Section {
        var kind: String
        var body: [Node]
        var line: Int
    }

    indirect enum Node {
        case plugin(Plugin)
        /// `if` / `else if` / `else`: each clause's condition (nil for `else`) and body.
        case branch([(condition: Condition?, body: [Node])])
    }

    struct Plugin {
        var name: String
        var attributes: [(name: String, value: Value)]
        var line: Int

        func attribute(_ name: String) -> Value? { attributes.last { $0.name == name }?.value }
    }

    indirect enum Value {
        case string(String)
        case number(String)
        case bareword(String)
        case array([Value])
        case hash([(key: Value, value: Value)])
        case plugin(Plugin)

        var text: String? {
            switch self {
            case .string(let s), .number(let s), .bareword(let s): s
            default: nil
            }
        }
    }

    /// A condition as its operands and operators, in order; the parser has checked the structure.
    indirect enum Condition {
        case selector([String])
        case literal(Value)
        case regexp(String)
        case not(Condition)
        case compare(Condition, String, Condition)
        case combine(Condition, String, Condition)

        /// Every field reference in the condition.
        var selectors: [[String]] {
            switch self {
            case .selector(let path): [path]
            case .literal, .regexp: []
            case .not(let c): c.selectors
            case .compare(let a, _, let b), .combine(let a, _, let b): a.selectors + b.selectors
            }
        }
    }

    static let sectionKinds: Set<String> = ["input", "filter", "output"]

    /// Every plugin, in file order, with the section it is in.
    var plugins: [(section: String, plugin: Plugin)] {
        var out: [(String, Plugin)] = []
        func walk(_ nodes: [Node], _ section: String) {
            for node in nodes {
                switch node {
                case .plugin(let p): out.append((section, p))
                case .branch(let clauses): for clause in clauses { walk(clause.body, section) }
                }
            }
        }
        for section in sections { walk(section.body, section.kind) }
        return out
    }

    /// Every condition, in file order.
    var conditions: [Condition] {
        var out: [Condition] = []
        func walk(_ nodes: [Node]) {
            for case .branch(let clauses) in nodes {
                for clause in clauses {
                    if let c = clause.condition { out.append(c) }
                    walk(clause.body)
                }
            }
        }
        for section in sections { walk(section.body) }
        return out
    }
}

struct LogstashConfigError: Error, CustomStringConvertible {
    var file: String
    var line: Int
    var column: Int
    var problem: String
    var description: String { "\(file):\(line):\(column): \(problem)" }
}
