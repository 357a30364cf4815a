import FileStorage
import Foundation
import PipelineTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `DurableFile.replace` leaves the old or the new content under the name, never a mix, whatever
/// the disk does part-way; and it cleans up after itself on failure.
@Suite struct DurableFileTests {
    @Test func readGivesNilThenWhatWasReplaced() throws {
        let disk = InMemoryFileSystem()
        try disk.createDirectory(atPath: "/state")
        let file = DurableFile(path: "/state/point", fileSystem: disk)
        #expect(try file.read() == nil)
        try file.replace(with: [1, 2, 3])
        try file.replace(with: [4, 5])
        #expect(try file.read() == [4, 5])
        #expect(disk.durableContents(atPath: "/state/point") == [4, 5], "synced before it returned")
        #expect(try disk.contentsOfDirectory(atPath: "/state") == ["point"])
    }

    /// The replacement stops at each of its steps (the write part-way, the sync, the rename),
    /// then the power fails tearing the last write: the old content survives whole. Once
    /// `replace` returned, the new content survives.
    @Test(arguments: [InMemoryFileSystem.Operation.write, .sync, .create])
    func aPowerCutAtAnyStepLeavesOldOrNew(failing step: InMemoryFileSystem.Operation) throws {
        let disk = InMemoryFileSystem()
        try disk.createDirectory(atPath: "/state")
        let file = DurableFile(path: "/state/point", fileSystem: disk)
        let old = [UInt8](repeating: 1, count: 64)
        let new = [UInt8](repeating: 2, count: 80)
        try file.replace(with: old)
        disk.failNext(step, with: EIO, pathSuffix: ".tmp", writingPrefix: 30)
        #expect(throws: StorageError.self) { try file.replace(with: new) }
        disk.crash(tearLastWrite: 13)
        #expect(try file.read() == old)

        try file.replace(with: new)
        disk.crash(tearLastWrite: 13)
        #expect(try file.read() == new)
    }

    /// A write that fails (here for want of space) keeps the old content and removes the torn
    /// temporary file, which would otherwise hold the space the disk is short of.
    @Test func aFailedReplaceKeepsTheOldContentAndNoTemporaryFile() throws {
        let disk = InMemoryFileSystem()
        try disk.createDirectory(atPath: "/state")
        let file = DurableFile(path: "/state/point", fileSystem: disk)
        try file.replace(with: [7, 7, 7])
        disk.capacityBytes = disk.usedBytes + 2
        let error = #expect(throws: StorageError.self) { try file.replace(with: [8, 8, 8, 8, 8]) }
        #expect(error?.code == .noSpace)
        #expect(try file.read() == [7, 7, 7])
        #expect(try disk.contentsOfDirectory(atPath: "/state") == ["point"])
        #expect(disk.failedWrites == 1)
    }

    /// While the power is off nothing changes: the process that would write is gone.
    @Test func nothingChangesWhileThePowerIsOff() throws {
        let disk = InMemoryFileSystem()
        try disk.createDirectory(atPath: "/state")
        let file = DurableFile(path: "/state/point", fileSystem: disk)
        try file.replace(with: [1])
        disk.powerCut()
        let error = #expect(throws: StorageError.self) { try file.replace(with: [2]) }
        #expect(error?.errno == EIO)
        disk.powerOn()
        #expect(try file.read() == [1])
    }

    /// On the real disk: the new content is there, no temporary file is left, and
    /// `PosixFileSystem.ownerOnly` creates files only their owner can read.
    @Test func onTheRealDiskOwnerOnlyFilesAreMode0600() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("durable-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try PosixFileSystem.ownerOnly.createDirectory(atPath: directory)
        let file = DurableFile(path: "\(directory)/point", fileSystem: PosixFileSystem.ownerOnly)
        try file.replace(with: Array("42\n".utf8))
        #expect(try file.read() == Array("42\n".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["point"])
        var raw = stat()
        #expect(stat("\(directory)/point", &raw) == 0)
        #expect(raw.st_mode & 0o777 == 0o600)
    }
}
