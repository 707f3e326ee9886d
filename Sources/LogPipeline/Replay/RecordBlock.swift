/// The records of one instance whose `event.sequence` falls in one aligned block of `size` numbers:
/// which numbers were read, a fingerprint and the first position of each, and the totals of the
/// completed requests among them. What makes replay exact under at-least-once delivery: a copy of a
/// record already here is dropped (identical) or reported (a conflict), never summed again.
///
/// Size: a slot (16 bytes) per record, one aggregate per block, a name and a line base per input
/// the block's records come from, and, only while the block is incomplete, each counted request's
/// metrics, so that two partial blocks (a log split at a rotation, or shipped twice with different
/// cut points) merge exactly. A complete block needs no
/// per-record metrics: any other copy of its numbers is a subset of it; and its slots can leave
/// memory for a temporary file (`spill`, `SlotSpill`), read back when a repeat comes (`SpillCache`).
public struct RecordBlock: Sendable, Equatable, Codable {
    public static let size: UInt64 = 1024

    /// What a record is in the totals.
    public enum Role: UInt8, Sendable, Equatable, Codable {
        case started, completed, checkpoint, other
        /// A record with a problem (reported): sequence-checked, not used.
        case unused
    }

    /// One record: 16 bytes (a slot per record is the ledger's only per-record cost).
    public struct Slot: Sendable, Equatable {
        var fingerprint: UInt64
        /// The line after its file entry's base (`lineBases`), saturated at 4,294,967,295.
        private var storedLine: UInt32
        /// The offset (low 10 bits) and the role (above).
        private var bits: UInt16
        /// Index into `files` (and `lineBases`).
        var file: UInt16

        init(offset: UInt16, role: Role, file: UInt16, line: Int, fingerprint: UInt64) {
            self.fingerprint = fingerprint
            storedLine = UInt32(clamping: line)
            bits = (offset & 0x3FF) | UInt16(role.rawValue) << 10
            self.file = file
        }

        /// The 16 bytes of the spill file (little-endian: fingerprint, line, offset and role, file).
        func append(to bytes: inout [UInt8]) {
            for k in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: fingerprint >> (8 * k))) }
            for k in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: storedLine >> (8 * k))) }
            for k in 0..<2 { bytes.append(UInt8(truncatingIfNeeded: bits >> (8 * k))) }
            for k in 0..<2 { bytes.append(UInt8(truncatingIfNeeded: file >> (8 * k))) }
        }

        /// A slot from the 16 bytes at `start` of `bytes` (written by `append`).
        init(_ bytes: [UInt8], at start: Int) {
            func value(_ from: Int, _ count: Int) -> UInt64 {
                (0..<count).reduce(0) { $0 | UInt64(bytes[start + from + $1]) << (8 * $1) }
            }
            fingerprint = value(0, 8)
            storedLine = UInt32(truncatingIfNeeded: value(8, 4))
            bits = UInt16(truncatingIfNeeded: value(12, 2))
            file = UInt16(truncatingIfNeeded: value(14, 2))
        }

        var offset: UInt16 { bits & 0x3FF }
        var role: Role { Role(rawValue: UInt8(bits >> 10)) ?? .unused }
        var line: Int { Int(storedLine) }

        /// The same record with the same decision. Across states a request can be counted in one
        /// and refused by the totals bound in another: merged as a conflict, so one copy counts.
        func same(as o: Slot) -> Bool { fingerprint == o.fingerprint && role == o.role }
    }

    /// What `insert` found.
    public enum Insertion: Sendable, Equatable {
        case new
        case duplicate(of: SourceLocation)
        case conflict(with: SourceLocation)
    }

    public let index: UInt64
    /// Sorted by offset, one per sequence number read; empty while `spilled` (see `loaded`).
    public internal(set) var slots: [Slot] = []
    /// Where the slots of a complete block are when they are not in memory (`spill`).
    var spilled: SpilledSlots?
    /// The inputs of the slots; a name can come more than once, with different line bases.
    public private(set) var files: [String] = []
    /// Added to the line of each slot of the same entry: a chunk read with its own line numbers
    /// (`vdm replay -j N`) is renumbered by moving its entries' bases (`shift`), not its slots.
    private(set) var lineBases: [Int] = []
    /// The completed requests counted in this block.
    public var aggregate: MetricsAggregate { spilled?.aggregate(limits: held.limits) ?? held }
    /// The aggregate while the block is in memory (empty once spilled: it is in the spill file).
    var held: MetricsAggregate
    /// The sum of the aggregate's counters (kept in memory when spilled: ledgers sum them).
    var totals: MetricCounters { spilled?.totals ?? held.totals }
    /// Their metrics by offset while the block is incomplete (empty once it is complete).
    private(set) var pending: [UInt16: RequestMetrics] = [:]

    init(index: UInt64, limits: AggregateLimits) {
        self.index = index
        held = MetricsAggregate(limits: limits)
    }

    public static func index(of seq: UInt64) -> UInt64 { (seq - 1) / size }
    static func offset(of seq: UInt64) -> UInt16 { UInt16((seq - 1) % size) }
    public var isComplete: Bool { spilled != nil || slots.count == Int(Self.size) }
    /// Records read once each.
    var recordCount: Int { spilled != nil ? Int(Self.size) : slots.count }
    /// Records of `role`.
    func count(_ role: Role) -> Int {
        if let spilled { return spilled.count(role) }
        return slots.reduce(0) { $0 + ($1.role == role ? 1 : 0) }
    }
    func sequence(of slot: Slot) -> UInt64 { index * Self.size + UInt64(slot.offset) + 1 }
    func location(of slot: Slot) -> SourceLocation {
        let f = Int(slot.file)
        return SourceLocation(file: files[f], line: lineBases[f] + slot.line)
    }

    /// Moves the lines of `file` on by `lines` (a chunk's state made the file's): O(inputs), not O(records).
    mutating func shift(by lines: Int, in file: String) {
        for f in files.indices where files[f] == file { lineBases[f] += lines }
    }

    /// The slot of `seq`, if read.
    func slot(_ seq: UInt64) -> Slot? {
        if let spilled { return spilled.slot(at: Self.offset(of: seq)) }
        let (i, found) = position(Self.offset(of: seq))
        return found ? slots[i] : nil
    }

    /// Whether a copy of fingerprint `fingerprint` is new, a repeat or a conflict at `seq`. The
    /// fingerprint alone decides (the first copy's role stands: a request refused by the totals
    /// bound is still the same record when it comes again).
    func check(_ seq: UInt64, fingerprint: UInt64) -> Insertion {
        guard let s = slot(seq) else { return .new }
        return s.fingerprint == fingerprint ? .duplicate(of: location(of: s)) : .conflict(with: location(of: s))
    }

    /// Adds a record not read before (`check` said `.new`). A counted request (`metrics`, role
    /// `.completed`) must already have passed the instance's total check, so its add cannot fail.
    mutating func insert(_ seq: UInt64, role: Role, fingerprint: UInt64, at location: SourceLocation, metrics: CheckedMetrics?) throws(SumError) {
        // A spilled block is complete: no number of it is new.
        guard spilled == nil else { return }
        let offset = Self.offset(of: seq)
        let (i, found) = position(offset)
        guard !found else { return }
        if let m = metrics { try held.add(m) }
        let f = fileIndex(location.file, line: location.line)
        slots.insert(Slot(offset: offset, role: role, file: f, line: location.line - lineBases[Int(f)], fingerprint: fingerprint), at: i)
        if isComplete {
            pending = [:]
        } else if let m = metrics {
            pending[offset] = m.metrics
        }
    }

    private func position(_ offset: UInt16) -> (Int, Bool) {
        if let last = slots.last, last.offset < offset { return (slots.count, false) }
        var lo = 0, hi = slots.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if slots[mid].offset < offset { lo = mid + 1 } else { hi = mid }
        }
        return (lo, lo < slots.count && slots[lo].offset == offset)
    }

    /// An entry of `name` whose base is not above `line` (the last one used first: records come
    /// in runs of one input).
    private mutating func fileIndex(_ name: String, line: Int) -> UInt16 {
        if let last = files.indices.last, files[last] == name, lineBases[last] <= line { return UInt16(last) }
        if let i = files.indices.first(where: { files[$0] == name && lineBases[$0] <= line }) { return UInt16(i) }
        return entry(name, base: 0)
    }

    /// The entry of `name` with line base `base`, added if new.
    private mutating func entry(_ name: String, base: Int) -> UInt16 {
        if let i = files.indices.first(where: { files[$0] == name && lineBases[$0] == base }) { return UInt16(i) }
        // More than 65,535 inputs in one block of 1,024 records cannot happen; share the last name.
        guard files.count < Int(UInt16.max) else { return UInt16(files.count - 1) }
        files.append(name)
        lineBases.append(base)
        return UInt16(files.count - 1)
    }

    // MARK: merging

    /// What a merge found: copies dropped, conflicts (with both positions, the counted one first).
    struct MergeFindings {
        var duplicates: [(dropped: SourceLocation, kept: SourceLocation, sequence: UInt64)] = []
        var conflicts: [(counted: SourceLocation, other: SourceLocation, sequence: UInt64)] = []
        /// Conflicts whose first copy cannot be counted exactly from partial results (see `merge`).
        var unresolved = 0
        var sumError: SumError?
    }

    /// Merges the same block of the same instance read elsewhere. Of two copies of a number, the
    /// one at the smaller position (file name, then line) is kept; an identical copy changes
    /// nothing, a different one is a conflict and the first counts. Exact when both blocks are
    /// incomplete (every counted request's metrics are at hand) or when the complete one holds every
    /// first copy; otherwise (a conflict whose first copy is in the incomplete block, whose
    /// complete rival's own metrics are gone) the conflict is `unresolved` and the complete block's
    /// records count.
    mutating func merge(_ other: RecordBlock, findings: inout MergeFindings) {
        self = loaded()
        var theirs = other.loaded()
        let remap = theirs.files.indices.map { entry(theirs.files[$0], base: theirs.lineBases[$0]) }
        for k in theirs.slots.indices { theirs.slots[k].file = remap[Int(theirs.slots[k].file)] }
        var merged: [Slot] = []
        var fromMine: [Bool] = []
        merged.reserveCapacity(max(slots.count, theirs.slots.count))
        var wonByMine = 0, wonByTheirs = 0
        var i = 0, j = 0
        while i < slots.count || j < theirs.slots.count {
            if j == theirs.slots.count || (i < slots.count && slots[i].offset < theirs.slots[j].offset) {
                merged.append(slots[i]); fromMine.append(true); i += 1
            } else if i == slots.count || theirs.slots[j].offset < slots[i].offset {
                merged.append(theirs.slots[j]); fromMine.append(false); j += 1
            } else {
                let a = slots[i], b = theirs.slots[j]
                let la = location(of: a), lb = location(of: b)
                let mineFirst = la <= lb
                merged.append(mineFirst ? a : b)
                fromMine.append(mineFirst)
                if a.same(as: b) {
                    findings.duplicates.append((dropped: mineFirst ? lb : la, kept: mineFirst ? la : lb, sequence: sequence(of: a)))
                } else {
                    if mineFirst { wonByMine += 1 } else { wonByTheirs += 1 }
                    findings.conflicts.append((counted: mineFirst ? la : lb, other: mineFirst ? lb : la, sequence: sequence(of: a)))
                }
                i += 1; j += 1
            }
        }
        if !isComplete && !theirs.isComplete {
            // Every counted request's metrics are known: rebuild the totals from the kept copies.
            var rebuilt = MetricsAggregate(limits: held.limits)
            var metrics: [UInt16: RequestMetrics] = [:]
            for (k, s) in merged.enumerated() where s.role == .completed {
                guard let m = fromMine[k] ? pending[s.offset] : theirs.pending[s.offset] else { continue }
                do throws(SumError) { try rebuilt.add(m) } catch { findings.sumError = error }
                metrics[s.offset] = m
            }
            held = rebuilt
            slots = merged
            pending = merged.count == Int(Self.size) ? [:] : metrics
            return
        }
        // One side (at least) is complete, so it holds every number of the block: its totals are
        // the result, exact unless a first copy lies on the other side.
        let useTheirs = theirs.isComplete && (!isComplete || (wonByTheirs > 0 && wonByMine == 0))
        findings.unresolved += useTheirs ? wonByMine : wonByTheirs
        if useTheirs { held = theirs.held }
        slots = merged
        pending = [:]
    }

    // MARK: equality

    /// The same records at the same positions and the same totals, whatever the entries' bases.
    public static func == (a: RecordBlock, b: RecordBlock) -> Bool {
        let a = a.loaded(), b = b.loaded()
        return a.index == b.index && a.aggregate == b.aggregate && a.pending == b.pending && a.slots.count == b.slots.count
            && zip(a.slots, b.slots).allSatisfy { x, y in
                x.offset == y.offset && x.same(as: y) && a.location(of: x) == b.location(of: y)
            }
    }

    // MARK: stored form

    enum CodingKeys: String, CodingKey { case index, slots, files, aggregate, pending }

    /// A slot as `[offset, role, file, line, fingerprint]`: the index of its file's name in the
    /// stored `files` (each name once) and its line in that file.
    struct StoredSlot: Codable {
        var slot: Slot
        /// The stored file index and line (the slot's own are relative to a line base when encoding).
        private var file: UInt16
        private var line: Int
        init(_ slot: Slot, file: UInt16, line: Int) {
            self.slot = slot
            self.file = file
            self.line = line
        }
        init(from decoder: any Decoder) throws {
            var c = try decoder.unkeyedContainer()
            let offset = try c.decode(UInt16.self)
            let role = try c.decode(Role.self)
            let file = try c.decode(UInt16.self)
            let line = try c.decode(Int.self)
            let fingerprint = try c.decode(UInt64.self)
            guard UInt64(offset) < RecordBlock.size, line >= 0 else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "slot offset or line out of range")
            }
            slot = Slot(offset: offset, role: role, file: file, line: line, fingerprint: fingerprint)
            self.file = file
            self.line = line
        }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.unkeyedContainer()
            try c.encode(slot.offset)
            try c.encode(slot.role)
            try c.encode(file)
            try c.encode(line)
            try c.encode(slot.fingerprint)
        }
    }

    /// Decodes and checks a stored block: offsets in range and strictly increasing, file indices
    /// valid, and for an incomplete block the totals equal to those of its kept metrics.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        index = try c.decode(UInt64.self, forKey: .index)
        files = try c.decode([String].self, forKey: .files)
        lineBases = Array(repeating: 0, count: files.count)
        slots = try c.decode([StoredSlot].self, forKey: .slots).map(\.slot)
        held = try c.decode(MetricsAggregate.self, forKey: .aggregate)
        let stored = try c.decode([String: RequestMetrics].self, forKey: .pending)
        func invalid(_ why: String) -> DecodingError {
            DecodingError.dataCorruptedError(forKey: .slots, in: c, debugDescription: "block \(index): \(why)")
        }
        guard index <= (UInt64.max - 1) / Self.size else { throw invalid("index out of range") }
        var previous = -1
        for s in slots {
            guard Int(s.offset) > previous, UInt64(s.offset) < Self.size, Int(s.file) < files.count, s.line >= 0 else {
                throw invalid("slots out of order or out of range")
            }
            previous = Int(s.offset)
        }
        var metrics: [UInt16: RequestMetrics] = [:]
        for (key, m) in stored {
            guard let offset = UInt16(key) else { throw invalid("metrics under a key that is not an offset") }
            let (i, found) = position(offset)
            guard found, slots[i].role == .completed else { throw invalid("metrics for a slot that is not a counted request") }
            metrics[offset] = m
        }
        pending = metrics
        if isComplete {
            guard pending.isEmpty else { throw invalid("a complete block keeps no metrics") }
        } else {
            var rebuilt = MetricsAggregate(limits: held.limits)
            for s in slots where s.role == .completed {
                guard let m = pending[s.offset] else { throw invalid("a counted request's metrics are missing") }
                do throws(SumError) { try rebuilt.add(m) } catch { throw invalid("\(error)") }
            }
            // Totals, not buckets: past the key caps, which names share `(other)` depends on the order.
            guard rebuilt.totals == held.totals else { throw invalid("totals differ from its records") }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        let block = loaded()
        try block.encodeLoaded(to: encoder)
    }

    private func encodeLoaded(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        // Each name once, in the order of its first entry; lines made whole again.
        var names: [String] = []
        var nameIndex: [Int] = []
        for name in files {
            if let i = names.firstIndex(of: name) {
                nameIndex.append(i)
            } else {
                nameIndex.append(names.count)
                names.append(name)
            }
        }
        try c.encode(index, forKey: .index)
        try c.encode(names, forKey: .files)
        try c.encode(slots.map { StoredSlot($0, file: UInt16(nameIndex[Int($0.file)]), line: location(of: $0).line) }, forKey: .slots)
        try c.encode(held, forKey: .aggregate)
        try c.encode(Dictionary(uniqueKeysWithValues: pending.map { (String($0.key), $0.value) }), forKey: .pending)
    }
}
