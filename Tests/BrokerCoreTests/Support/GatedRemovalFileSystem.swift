import FileStorage
import Foundation
import Synchronization

/// An `InMemoryFileSystem` whose `removeFile` of paths ending in `pathSuffix` stops until the
/// test opens the gate: a file removal (unlink + directory fsync) that takes as long as the test
/// wants, so it can see which requests wait for it. Every other call goes straight to `disk`.
///
/// A blocked removal holds the thread that called it; call it from a `TimedCall`, never
/// from the cooperative pool, and open the gate on every path out of the test (`defer`), or
/// that thread waits forever.
final class GatedRemovalFileSystem: FileSystem {
    let disk: InMemoryFileSystem
    private let pathSuffix: String
    private let gate = Mutex(Gate())

    private struct Gate {
        var isOpen = false
        /// Removals waiting at the gate now.
        var waiting = 0
    }

    init(disk: InMemoryFileSystem = InMemoryFileSystem(), blockingRemovalsOf pathSuffix: String) {
        self.disk = disk
        self.pathSuffix = pathSuffix
    }

    /// Removals stopped at the closed gate right now.
    var blockedRemovals: Int { gate.withLock { $0.waiting } }

    /// Lets every waiting and later removal through.
    func openGate() {
        gate.withLock { $0.isOpen = true }
    }

    func removeFile(atPath path: String) throws(StorageError) {
        if path.hasSuffix(pathSuffix) {
            gate.withLock { $0.waiting += 1 }
            // Polling keeps this free of lost wake-ups; it runs on a thread of its own.
            while !gate.withLock({ $0.isOpen }) { usleep(1_000) }
            gate.withLock { $0.waiting -= 1 }
        }
        try disk.removeFile(atPath: path)
    }

    func createDirectory(atPath path: String) throws(StorageError) {
        try disk.createDirectory(atPath: path)
    }

    func contentsOfDirectory(atPath path: String) throws(StorageError) -> [String] {
        try disk.contentsOfDirectory(atPath: path)
    }

    func fileExists(atPath path: String) -> Bool {
        disk.fileExists(atPath: path)
    }

    func openFile(atPath path: String, mode: FileOpenMode) throws(StorageError) -> any OpenFile {
        try disk.openFile(atPath: path, mode: mode)
    }

    func removeDirectory(atPath path: String) throws(StorageError) {
        try disk.removeDirectory(atPath: path)
    }

    func renameFile(atPath source: String, toPath destination: String) throws(StorageError) {
        try disk.renameFile(atPath: source, toPath: destination)
    }

    func renameDirectory(atPath source: String, toPath destination: String) throws(StorageError) {
        try disk.renameDirectory(atPath: source, toPath: destination)
    }

    func modificationTimeMilliseconds(atPath path: String) throws(StorageError) -> Int64 {
        try disk.modificationTimeMilliseconds(atPath: path)
    }
}
