import Foundation
import LogPipeline
import Testing

/// Correlation ids made without a system call must still look like (and parse as) v4 UUIDs, pass
/// the sane-id check the proxy applies to clients' ids, and never repeat.
@Suite struct RequestIDsTests {
    @Test func idsAreVersion4UUIDsInLowercase() throws {
        for _ in 0..<1_000 {
            let id = RequestIDs.next()
            let parsed = try #require(UUID(uuidString: id), "\(id)")
            #expect(parsed.uuidString.lowercased() == id)
            let bytes = Array(id.utf8)
            #expect(bytes.count == 36)
            #expect(bytes[14] == UInt8(ascii: "4"))
            #expect([UInt8(ascii: "8"), UInt8(ascii: "9"), UInt8(ascii: "a"), UInt8(ascii: "b")].contains(bytes[19]))
            #expect(CorrelationContext.isSaneID(id))
        }
    }

    @Test func idsDoNotRepeatAcrossConcurrentCallers() async {
        let all = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<8 { group.addTask { (0..<25_000).map { _ in RequestIDs.next() } } }
            var all: [String] = []
            for await ids in group { all += ids }
            return all
        }
        #expect(all.count == 200_000)
        #expect(Set(all).count == all.count)
        // Prefixes (the console's [abcd1234]) spread over all 16 hex digits.
        #expect(Set(all.map { $0.first }).count == 16)
    }
}
