/// Why a line (or journal entry) of the input was not used. Every kind is counted and reported with
/// its file and line; none is ever skipped silently, none crashes the reader.
public enum InputProblemKind: String, Codable, CodingKeyRepresentable, CaseIterable, Sendable, Comparable {
    /// Not valid JSON (or not a JSON object).
    case malformedJSON = "malformed_json"
    /// The last line of a file ends without a newline and is not a complete record (a writer was cut off).
    case truncatedLine = "truncated_line"
    /// Raw control bytes (NUL, ESC, …) where text was expected.
    case binaryGarbage = "binary_garbage"
    /// Bytes that are not UTF-8.
    case invalidUTF8 = "invalid_utf8"
    /// A line longer than the reader's limit (`RecordReader.maxLineBytes`).
    case lineTooLong = "line_too_long"
    /// A vdm record whose `event.action` this reader does not know.
    case unknownAction = "unknown_action"
    /// A record stamped with a `vdm.schema` newer than `Schema.version`: reported, not guessed at.
    case newerSchema = "newer_schema"
    /// A vdm record with a missing or ill-typed field the analyzer needs.
    case invalidRecord = "invalid_record"
    /// A vdm record with a value outside its documented bound (`RecordBounds`, docs/log-schema.md
    /// "Bounds"), or one whose sum would pass the bound of every total: not in the totals.
    case outOfBounds = "out_of_bounds"
    /// The same (instance, sequence) read again with different content: both positions are reported.
    case conflictingRecord = "conflicting_record"
    /// Valid JSON that is not a vdm record (no `vdm.schema`).
    case foreignRecord = "foreign_record"
    /// A journal entry without a `VDM_ECS_JSON` field (another program's entry).
    case foreignJournalEntry = "foreign_journal_entry"
    /// A journal entry that could not be decoded (bad export framing, bad `VDM_ECS_JSON` value).
    case malformedJournalEntry = "malformed_journal_entry"
    /// An identical repeat of a record already read (same instance, sequence and content): dropped.
    case duplicateRecord = "duplicate_record"
    /// The input could not be read to its end (truncated or corrupt gzip, a read error).
    case unreadableInput = "unreadable_input"
    /// Bytes after the last gzip member that are not gzip data (zeros after a crash or a copy):
    /// every line before them was read; they are ignored.
    case trailingGarbage = "trailing_garbage"

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    public var label: String {
        switch self {
        case .malformedJSON: "malformed JSON"
        case .truncatedLine: "truncated last line"
        case .binaryGarbage: "binary garbage"
        case .invalidUTF8: "invalid UTF-8"
        case .lineTooLong: "line too long"
        case .unknownAction: "unknown event.action"
        case .newerSchema: "newer vdm.schema"
        case .invalidRecord: "invalid record"
        case .outOfBounds: "value out of bounds"
        case .conflictingRecord: "conflicting record"
        case .foreignRecord: "not a vdm record"
        case .foreignJournalEntry: "journal entry without VDM_ECS_JSON"
        case .malformedJournalEntry: "malformed journal entry"
        case .duplicateRecord: "duplicate record"
        case .unreadableInput: "input not readable to its end"
        case .trailingGarbage: "trailing bytes after the gzip data"
        }
    }
}

/// Where a line came from: the input's name (path, `-` for stdin) and its 1-based line number
/// (for `journalctl -o export` input, the line on which the entry starts).
public struct SourceLocation: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var file: String
    public var line: Int

    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    public var description: String { "\(file):\(line)" }

    public static func < (a: Self, b: Self) -> Bool { a.file != b.file ? a.file < b.file : a.line < b.line }

    /// This position with a line of `file` moved on by `lines` (a chunk's numbers made the file's).
    func shifted(by lines: Int, in file: String) -> SourceLocation {
        file == self.file ? SourceLocation(file: file, line: line + lines) : self
    }
}

/// One reported example of a problem.
public struct InputProblem: Sendable, Hashable, Codable {
    public var kind: InputProblemKind
    public var location: SourceLocation
    /// The text; a position it names (the first copy of a repeated record) is kept apart, as
    /// `reference`, so that a chunk's state, read with line numbers of its own, can be renumbered
    /// (`shifted`). Equality, hashing and the stored form see the text.
    public var detail: String { reference.map { head + $0.description + tail } ?? head }
    private(set) var reference: SourceLocation?
    private var head: String
    private var tail = ""

    public init(kind: InputProblemKind, location: SourceLocation, detail: String) {
        self.kind = kind
        self.location = location
        head = detail
    }

    /// A detail that names another position: `head`, the position, `tail`.
    init(kind: InputProblemKind, location: SourceLocation, detail head: String, reference: SourceLocation, _ tail: String) {
        self.init(kind: kind, location: location, detail: head)
        self.reference = reference
        self.tail = tail
    }

    /// The same problem with the lines of `file` (its location, the position it names) moved on by `lines`.
    func shifted(by lines: Int, in file: String) -> InputProblem {
        var p = self
        p.location = location.shifted(by: lines, in: file)
        p.reference = reference?.shifted(by: lines, in: file)
        return p
    }

    enum CodingKeys: String, CodingKey { case kind, location, detail }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(kind: try c.decode(InputProblemKind.self, forKey: .kind), location: try c.decode(SourceLocation.self, forKey: .location),
                  detail: try c.decode(String.self, forKey: .detail))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(location, forKey: .location)
        try c.encode(detail, forKey: .detail)
    }

    public static func == (a: Self, b: Self) -> Bool { a.kind == b.kind && a.location == b.location && a.detail == b.detail }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(kind)
        hasher.combine(location)
        hasher.combine(detail)
    }
}

/// Counts per kind plus the first examples of each (by file and line, so merging partial results
/// gives the same examples whatever the order of the files).
public struct InputProblems: Sendable, Equatable, Codable {
    public static let examplesPerKind = 5
    public private(set) var counts: [InputProblemKind: Int] = [:]
    public private(set) var examples: [InputProblem] = []

    public init() {}

    public var total: Int { counts.values.reduce(0, +) }
    public var isEmpty: Bool { total == 0 }
    public func count(_ kind: InputProblemKind) -> Int { counts[kind] ?? 0 }

    public mutating func record(_ problem: InputProblem, count: Int = 1) {
        counts[problem.kind, default: 0] += count
        keep(problem)
    }

    public mutating func merge(_ other: InputProblems) {
        for (kind, n) in other.counts { counts[kind, default: 0] += n }
        for example in other.examples { keep(example) }
    }

    /// These problems with the lines of `file` moved on by `lines` (the order of examples stays:
    /// all of a chunk's locations are in its file, and move together).
    mutating func shift(by lines: Int, in file: String) {
        examples = examples.map { $0.shifted(by: lines, in: file) }
    }

    /// Keeps the smallest `examplesPerKind` locations of each kind.
    private mutating func keep(_ problem: InputProblem) {
        let same = examples.indices.filter { examples[$0].kind == problem.kind }
        if same.count < Self.examplesPerKind {
            examples.append(problem)
        } else if let worst = same.max(by: { examples[$0].location < examples[$1].location }),
                  problem.location < examples[worst].location {
            examples[worst] = problem
        } else {
            return
        }
        examples.sort { $0.kind != $1.kind ? $0.kind < $1.kind : $0.location < $1.location }
    }
}
