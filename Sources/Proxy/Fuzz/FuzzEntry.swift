#if VDM_FUZZ
#if canImport(Glibc)
import Glibc
#endif

// Compiled only into the libFuzzer build (`scripts/fuzz`: `-sanitize=fuzzer,address -DVDM_FUZZ`), where
// `VDM` has no `@main` and libFuzzer's own `main` drives this callback. `VDM_FUZZ_TARGET` names the target.

/// The target of this process, read once.
private let selectedTarget: FuzzTarget = {
    let name = getenv("VDM_FUZZ_TARGET").map { String(cString: $0) } ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
        fatalError("VDM_FUZZ_TARGET must be one of: \(names) (got '\(name)')")
    }
    return target
}()

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    do {
        try selectedTarget.run(bytes)
    } catch {
        // A broken property is a crash to libFuzzer: it saves the input and stops.
        fatalError("fuzz target \(selectedTarget.rawValue): \(error)")
    }
    return 0
}
#endif
