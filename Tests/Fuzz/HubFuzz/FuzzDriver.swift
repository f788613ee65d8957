import Foundation

/// libFuzzer's driver when built for fuzzing (`-DFUZZING -sanitize=fuzzer`); otherwise a
/// replayer that runs the target over every file named (or in every folder named) on the
/// command line, so seeds and past crashes are checked in every normal test run.
enum FuzzDriver {
    static func main(_ target: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> Never {
        #if FUZZING
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, target))
        #else
        var count = 0
        for arg in CommandLine.arguments.dropFirst() {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: arg, isDirectory: &isDir) else { continue }
            let files = isDir.boolValue
                ? ((try? FileManager.default.contentsOfDirectory(atPath: arg)) ?? []).sorted().map { arg + "/" + $0 } : [arg]
            for path in files {
                guard let data = FileManager.default.contents(atPath: path) else { continue }
                let bytes = [UInt8](data) + [0] // never an empty buffer without a base address
                _ = bytes.withUnsafeBufferPointer { target($0.baseAddress!, bytes.count - 1) }
                count += 1
            }
        }
        print("replayed \(count) inputs")
        exit(0)
        #endif
    }
}

#if FUZZING
/// The target libFuzzer calls: the one `HUB_FUZZ_TARGET` names (libFuzzer's own `main`
/// may be the one linked; it calls this).
@_cdecl("LLVMFuzzerTestOneInput")
func LLVMFuzzerTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    selectedTarget(data, size)
}

let selectedTarget: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt = {
    guard let target = FuzzTarget(rawValue: ProcessInfo.processInfo.environment["HUB_FUZZ_TARGET"] ?? "") else {
        FileHandle.standardError.write(Data("HUB_FUZZ_TARGET must be one of: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))\n".utf8))
        exit(2)
    }
    return target.run
}()

/// libFuzzer's entry for programs with their own `main` (compiler-rt, FuzzerDriver.cpp).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt
#endif
