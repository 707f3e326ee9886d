import Foundation

/// A fresh seed for a randomised test, printed so that a failure can be replayed: `VDM_TEST_SEED=N`
/// runs every such test with seed N instead.
enum TestSeed {
    static func make(_ test: String) -> UInt64 {
        let seed = ProcessInfo.processInfo.environment["VDM_TEST_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 0...UInt64(UInt32.max))
        print("\(test) seed \(seed) (rerun with VDM_TEST_SEED=\(seed))")
        return seed
    }
}
