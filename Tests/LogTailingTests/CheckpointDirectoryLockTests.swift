import Foundation
import LogTailing
import Testing

/// One shipper per checkpoint directory: the lock refuses a second holder, names the first,
/// and is free again once the holder is gone.
struct CheckpointDirectoryLockTests {
    func makeDirectory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("edgelog-lock-\(UUID().uuidString)").path
    }

    @Test func aSecondHolderIsRefusedWithTheFirstOnesPid() throws {
        let directory = makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try CheckpointDirectoryLock.acquire(directory: directory)
        #expect(throws: CheckpointLockError.heldElsewhere(directory: directory, pid: getpid())) {
            _ = try CheckpointDirectoryLock.acquire(directory: directory)
        }
        withExtendedLifetime(first) {}
    }

    @Test func theLockIsFreeOnceTheHolderIsGone() throws {
        let directory = makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let first = try CheckpointDirectoryLock.acquire(directory: directory)
            withExtendedLifetime(first) {}
        }
        let second = try CheckpointDirectoryLock.acquire(directory: directory)
        #expect(FileManager.default.fileExists(atPath: second.path))
    }

    @Test func aMissingDirectoryIsCreated() throws {
        let directory = makeDirectory() + "/nested"
        defer { try? FileManager.default.removeItem(atPath: (directory as NSString).deletingLastPathComponent) }
        let lock = try CheckpointDirectoryLock.acquire(directory: directory)
        #expect(lock.path == directory + "/lock")
        #expect(FileManager.default.fileExists(atPath: lock.path))
    }
}
