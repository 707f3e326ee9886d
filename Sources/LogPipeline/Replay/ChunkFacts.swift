/// What a chunk read on its own (a part of a JSON-lines file after its first, `vdm replay -j N`)
/// remembers beyond its loose ends, so that `ReplayState.continued(by:)` can prove that appending
/// its state to the state of the lines before it gives what one reader of the whole file gives, or
/// say that it cannot (the chunk is then read again, on top of those lines' state).
///
/// Only for the merge: not stored (`LooseEnds.CodingKeys`), and gone once the chunk is appended.
/// Bounded by the chunk: one entry per request the chunk touched, orphans capped.
struct ChunkFacts: Sendable, Equatable {
    /// The latest record (highest sequence) of a request read in this chunk without its start or
    /// its completion before it: the last record of a request started in an earlier chunk.
    struct Orphan: Sendable, Equatable {
        var line: String
        var location: SourceLocation
        var sequence: UInt64
    }

    private(set) var orphans: [LooseEnds.Key: Orphan] = [:]
    /// Past `LooseEnds.maxUnmatchedCompletions` orphans, one was not kept: the chunk is read again.
    private(set) var orphansOverflowed = false
    /// Starts and completions per request (by the key's hash: a collision only makes the merge
    /// read the chunk again). What the chunk would have done with a request the lines before it
    /// left open or completed depends on them.
    private var events: [Int: UInt8] = [:]
    /// The largest number of unmatched completions the chunk held at once (for the set's cap).
    private(set) var peakUnmatched = 0
    /// A completed request the totals bound refused in this chunk (which one depends on the sum
    /// of the lines before it).
    var sumRefused = false

    /// Starts and completions of `key` read in this chunk (saturating).
    func eventCount(_ key: LooseEnds.Key) -> Int { Int(events[key.hashValue] ?? 0) }

    mutating func noteEvent(_ key: LooseEnds.Key, unmatched: Int) {
        let h = key.hashValue
        let n = events[h] ?? 0
        events[h] = n == UInt8.max ? n : n + 1
        if !orphans.isEmpty { orphans[key] = nil }
        peakUnmatched = max(peakUnmatched, unmatched)
    }

    /// Moves the lines of `file` on by `lines` (the chunk's numbers made the file's).
    mutating func shift(by lines: Int, in file: String) {
        for i in orphans.indices { orphans.values[i].location = orphans.values[i].location.shifted(by: lines, in: file) }
    }

    /// Another record of a request neither started nor completed so far in this chunk.
    mutating func touch(_ key: LooseEnds.Key, line: @autoclosure () -> String, at location: SourceLocation, sequence: UInt64) {
        if let known = orphans[key] {
            if sequence > known.sequence { orphans[key] = Orphan(line: line(), location: location, sequence: sequence) }
        } else if orphans.count < LooseEnds.maxUnmatchedCompletions {
            orphans[key] = Orphan(line: line(), location: location, sequence: sequence)
        } else {
            orphansOverflowed = true
        }
    }
}
