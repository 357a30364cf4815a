import Foundation

/// Calls `body` with `bytes` placed so that they end exactly at an inaccessible page: any read
/// past the last byte faults (the test process crashes) instead of silently reading whatever
/// memory follows, as it would in an `Array`'s storage. For the parser's over-reading scans.
func withBufferEndingAtGuardPage<Result>(_ bytes: [UInt8], _ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
    let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
    let dataPages = (bytes.count + pageSize - 1) / pageSize
    let length = (dataPages + 1) * pageSize
    guard let region = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
        region != MAP_FAILED
    else { preconditionFailure("mmap failed") }  // test infrastructure, not input data
    defer { munmap(region, length) }
    let guardPage = region + dataPages * pageSize
    precondition(mprotect(guardPage, pageSize, PROT_NONE) == 0, "mprotect failed")
    let start = UnsafeMutableRawPointer(guardPage) - bytes.count
    bytes.withUnsafeBytes { source in
        if let base = source.baseAddress { start.copyMemory(from: base, byteCount: bytes.count) }
    }
    return try body(UnsafeRawBufferPointer(start: start, count: bytes.count))
}
