#if VDM_FUZZ
#if canImport(Glibc)
import Glibc
#endif
import VDMProxy

// Compiled only into the libFuzzer build (`scripts/fuzz`: `-sanitize=fuzzer,address -DVDM_FUZZ`), where
// `VDM` has no `@main`. SwiftPM links an executable with `main` aliased to `vdm_main` (so tests can
// link the module), so `vdm_main` below hands the process to libFuzzer's driver; without the alias
// libFuzzer's own `main` calls `LLVMFuzzerTestOneInput`. `VDM_FUZZ_TARGET` names the target.

typealias FuzzCallback = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: FuzzCallback
) -> CInt

@_cdecl("vdm_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzOneInput(data, size) }
}

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
