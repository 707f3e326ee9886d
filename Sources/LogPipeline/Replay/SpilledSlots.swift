/// The slots and the aggregate of a complete `RecordBlock` moved to the replay's `SlotSpill` file:
/// 16 KiB of slots and the aggregate (`SpilledAggregate`) there; here only
/// where they are, the aggregate's totals (ledgers sum them) and how many records of each role
/// the block holds (the counts a ledger reports). A complete block holds every number of its
/// range, so slot `k` is offset `k` and a repeat reads back the one slot it needs.
struct SpilledSlots: Sendable {
    let store: SlotSpill
    let offset: Int
    let totals: MetricCounters
    private let aggregateBytes: Int
    /// Records per role, 11 bits each (a count is at most 1,024), by `Role.rawValue`.
    private let roles: UInt64

    static let slotBytes = 16
    static var slotsBytes: Int { Int(RecordBlock.size) * slotBytes }

    init(store: SlotSpill, offset: Int, slots: [RecordBlock.Slot], aggregateBytes: Int, totals: MetricCounters) {
        self.store = store
        self.offset = offset
        self.aggregateBytes = aggregateBytes
        self.totals = totals
        var packed: UInt64 = 0
        for s in slots { packed &+= 1 << (11 * UInt64(s.role.rawValue)) }
        roles = packed
    }

    /// The block's aggregate, read back from the file; nil as for `slot(at:)`.
    func aggregate(limits: AggregateLimits) -> MetricsAggregate? {
        guard let bytes = store.read(at: offset + Self.slotsBytes, count: aggregateBytes) else { return nil }
        guard let decoded = SpilledAggregate.decode(bytes, limits: limits, totals: totals) else {
            store.noteUnreadable()
            return nil
        }
        return decoded
    }

    func count(_ role: RecordBlock.Role) -> Int { Int((roles >> (11 * UInt64(role.rawValue))) & 0x7FF) }

    /// The slot of `offset` (every offset is read in a complete block); nil when the file cannot
    /// be read back (then `SlotSpill.failure` is set and the replay ends with its error).
    func slot(at offset: UInt16) -> RecordBlock.Slot? {
        store.read(at: self.offset + Int(offset) * Self.slotBytes, count: Self.slotBytes).map { RecordBlock.Slot($0, at: 0) }
    }

    /// All the slots, in offset order (nil as for `slot(at:)`).
    func slots() -> [RecordBlock.Slot]? {
        let n = Int(RecordBlock.size)
        guard let bytes = store.read(at: offset, count: n * Self.slotBytes) else { return nil }
        return (0..<n).map { RecordBlock.Slot(bytes, at: $0 * Self.slotBytes) }
    }
}

/// The slots of the moved block a reader read back last: repeats of moved blocks come in runs (a
/// file shipped twice repeats every block in order), so a run costs one read of 16 KiB per block,
/// not one per record. One block, one reader (`ReplayAccumulator`).
struct SpillCache {
    private var key: (store: ObjectIdentifier, offset: Int)?
    private var slots: [RecordBlock.Slot] = []

    /// The slot of `offset` in `spilled`, read back with its whole block unless that is the block held.
    mutating func slot(_ spilled: SpilledSlots, at offset: UInt16) -> RecordBlock.Slot? {
        let wanted = (store: ObjectIdentifier(spilled.store), offset: spilled.offset)
        if key?.store != wanted.store || key?.offset != wanted.offset {
            guard let all = spilled.slots() else { return nil }
            slots = all
            key = wanted
        }
        // A block's slots are `RecordBlock.size` long and an offset is below it.
        return Int(offset) < slots.count ? slots[Int(offset)] : nil
    }
}

extension RecordBlock {
    /// `check`, reading a moved block's slot through `cache`.
    func check(_ seq: UInt64, fingerprint: UInt64, cache: inout SpillCache) -> Insertion {
        guard let spilled else { return check(seq, fingerprint: fingerprint) }
        guard let s = cache.slot(spilled, at: Self.offset(of: seq)) else { return .new }
        return s.fingerprint == fingerprint ? .duplicate(of: location(of: s)) : .conflict(with: location(of: s))
    }

    /// Whether the slots are in the spill file rather than in memory.
    package var isSpilled: Bool { spilled != nil }

    /// Moves a complete block's slots to `store` (nothing when incomplete, already moved, or the
    /// write fails: then they stay, and the store's failure ends the replay with an error).
    mutating func spill(into store: SlotSpill) {
        guard spilled == nil, slots.count == Int(Self.size) else { return }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(SpilledSlots.slotsBytes + 4096)
        for s in slots { s.append(to: &bytes) }
        SpilledAggregate.encode(held, into: &bytes)
        guard let at = store.write(bytes) else { return }
        spilled = SpilledSlots(store: store, offset: at, slots: slots, aggregateBytes: bytes.count - SpilledSlots.slotsBytes, totals: held.totals)
        slots = []
        held = MetricsAggregate(limits: held.limits)
    }

    /// This block with its slots and aggregate in memory (itself when they are; empty when the
    /// spill file cannot be read back, which `SlotSpill.failure` reports).
    func loaded() -> RecordBlock {
        guard let spilled else { return self }
        var block = self
        block.slots = spilled.slots() ?? []
        block.held = spilled.aggregate(limits: held.limits) ?? held
        block.spilled = nil
        return block
    }
}
