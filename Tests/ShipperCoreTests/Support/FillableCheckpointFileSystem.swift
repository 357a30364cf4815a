import Foundation
import LogTailing

#if canImport(Glibc)
    import Glibc
#endif

/// The real checkpoint file system with a switch that makes it behave like a full disk: while
/// `isFull`, a write puts half its bytes into the file (a torn temporary file, as a real
/// ENOSPC part-way leaves) and fails with ENOSPC; reads, renames and removals still work. So the
/// shipper's disk-full case runs in-process, without root or a tmpfs mount.
final class FillableCheckpointFileSystem: CheckpointFileSystem, @unchecked Sendable {
    private let real = PosixCheckpointFileSystem()
    private let lock = NSLock()
    private var full = false
    private var failures = 0

    var isFull: Bool {
        get { lock.withLock { full } }
        set { lock.withLock { full = newValue } }
    }

    /// Writes that failed with ENOSPC so far.
    var failedWrites: Int { lock.withLock { failures } }

    func writeAndSync(_ bytes: [UInt8], to path: String) throws(SystemCallError) {
        let isFull = lock.withLock {
            if full { failures += 1 }
            return full
        }
        guard isFull else { return try real.writeAndSync(bytes, to: path) }
        try real.writeAndSync(Array(bytes.prefix(bytes.count / 2)), to: path)
        throw SystemCallError("write", path: path, errorNumber: ENOSPC)
    }

    func rename(_ source: String, to destination: String) throws(SystemCallError) {
        try real.rename(source, to: destination)
    }

    func syncDirectory(_ path: String) throws(SystemCallError) {
        try real.syncDirectory(path)
    }

    func contents(of path: String) throws(SystemCallError) -> [UInt8]? {
        try real.contents(of: path)
    }

    func entries(of directory: String) throws(SystemCallError) -> [String]? {
        try real.entries(of: directory)
    }

    func remove(_ path: String) throws(SystemCallError) {
        try real.remove(path)
    }

    func createDirectory(_ path: String) throws(SystemCallError) {
        try real.createDirectory(path)
    }
}
