/// The `event.sequence` numbers seen for one instance, as sorted disjoint closed ranges: a complete
/// log is one range from 1, whatever its size, so memory grows with the number of gaps only.
public struct SequenceRanges: Sendable, Equatable, Codable {
    public struct Range: Sendable, Equatable, Codable, CustomStringConvertible {
        public var lower: UInt64
        public var upper: UInt64

        public init(lower: UInt64, upper: UInt64) {
            self.lower = lower
            self.upper = upper
        }

        public var count: UInt64 { upper - lower + 1 }
        public var description: String { lower == upper ? "\(lower)" : "\(lower)–\(upper)" }
    }

    public private(set) var ranges: [Range] = []

    public init() {}

    public var isEmpty: Bool { ranges.isEmpty }
    public var first: UInt64? { ranges.first?.lower }
    public var last: UInt64? { ranges.last?.upper }
    public var count: UInt64 { ranges.reduce(0) { $0 + $1.count } }

    /// Adds `seq`; false when it was already there (a duplicate).
    @discardableResult
    public mutating func insert(_ seq: UInt64) -> Bool {
        // Records arrive almost in order (writers interleave by a few), so look at the end first.
        if let last = ranges.last {
            if seq == last.upper &+ 1 { ranges[ranges.count - 1].upper = seq; return true }
            if seq > last.upper { ranges.append(Range(lower: seq, upper: seq)); return true }
        } else {
            ranges.append(Range(lower: seq, upper: seq))
            return true
        }
        // Binary search for the first range whose upper ≥ seq.
        var lo = 0, hi = ranges.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if ranges[mid].upper < seq { lo = mid + 1 } else { hi = mid }
        }
        if ranges[lo].lower <= seq { return false }
        let joinsNext = ranges[lo].lower == seq + 1
        let joinsPrevious = lo > 0 && ranges[lo - 1].upper + 1 == seq
        switch (joinsPrevious, joinsNext) {
        case (true, true):
            ranges[lo - 1].upper = ranges[lo].upper
            ranges.remove(at: lo)
        case (true, false): ranges[lo - 1].upper = seq
        case (false, true): ranges[lo].lower = seq
        case (false, false): ranges.insert(Range(lower: seq, upper: seq), at: lo)
        }
        return true
    }

    public func contains(_ seq: UInt64) -> Bool {
        ranges.contains { $0.lower <= seq && seq <= $0.upper }
    }

    /// Whether a number is in both (one pass over both lists of ranges).
    public func intersects(_ other: SequenceRanges) -> Bool {
        var i = 0, j = 0
        while i < ranges.count && j < other.ranges.count {
            let a = ranges[i], b = other.ranges[j]
            if a.upper < b.lower { i += 1 } else if b.upper < a.lower { j += 1 } else { return true }
        }
        return false
    }

    /// Unions `other` in; returns how many of its numbers were already here (duplicates across inputs).
    @discardableResult
    public mutating func merge(_ other: SequenceRanges) -> UInt64 {
        guard !other.ranges.isEmpty else { return 0 }
        let all = (ranges + other.ranges).sorted { $0.lower < $1.lower }
        var merged: [Range] = []
        var overlap: UInt64 = 0
        for r in all {
            if let last = merged.last, r.lower <= last.upper &+ 1 {
                if r.lower <= last.upper { overlap += min(r.upper, last.upper) - r.lower + 1 }
                merged[merged.count - 1].upper = max(last.upper, r.upper)
            } else {
                merged.append(r)
            }
        }
        ranges = merged
        return overlap
    }

    /// Missing numbers: before the first range (a log starts at 1) and between ranges. What follows
    /// the last record cannot be known.
    public var gaps: [Range] {
        var out: [Range] = []
        var expected: UInt64 = 1
        for r in ranges {
            if r.lower > expected { out.append(Range(lower: expected, upper: r.lower - 1)) }
            expected = r.upper &+ 1
        }
        return out
    }
}
