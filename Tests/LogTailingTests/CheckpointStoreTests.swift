import FileStorage
import Foundation
import LogTailing
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct CheckpointStoreTests {
    private static func checkpoint(offset: Int64, inode: UInt64 = 55) -> Checkpoint {
        Checkpoint(
            identity: FileIdentity(device: 9, inode: inode, fingerprint: Array("first bytes".utf8)),
            path: "/logs/access.log", sourcePattern: "/logs/access.log", offset: offset, producerId: 3,
            producerEpoch: 1, sequences: [0: Int32(offset / 10)])
    }

    private static func names(in directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
    }

    @Test func writeThenLoadGivesItBack() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = CheckpointStore(directory: directory.file("state/checkpoints"))
        let empty = try store.load()
        #expect(empty.checkpoints.isEmpty)
        #expect(empty.isFirstStart)
        #expect(try store.read(Self.checkpoint(offset: 0).identity) == nil)

        try store.write(Self.checkpoint(offset: 100))
        try store.write(Self.checkpoint(offset: 250))
        try store.write(Self.checkpoint(offset: 7, inode: 56))
        let loaded = try store.load()
        #expect(loaded.checkpoints.sorted { $0.identity.inode < $1.identity.inode }
            == [Self.checkpoint(offset: 250), Self.checkpoint(offset: 7, inode: 56)])
        #expect(loaded.isFirstStart)
        #expect(try Self.names(in: store.directory) == ["9-55.checkpoint", "9-56.checkpoint"])

        try store.markInitialized()
        #expect(try store.load().isFirstStart == false)
        try store.remove(Self.checkpoint(offset: 0, inode: 56).identity)
        #expect(try store.load().checkpoints == [Self.checkpoint(offset: 250)])
    }

    @Test func checkpointFilesAreOwnerOnly() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = CheckpointStore(directory: directory.path)
        try store.write(Self.checkpoint(offset: 1))
        var raw = stat()
        #expect(stat(store.path(for: Self.checkpoint(offset: 1).identity), &raw) == 0)
        #expect(raw.st_mode & 0o777 == 0o600)
    }

    /// The disk fills up during the write: the error is thrown, the previous checkpoint stays as
    /// it was, no temporary file is left, and the next write after space returns succeeds.
    @Test func aFullDiskKeepsThePreviousCheckpoint() throws {
        let disk = InMemoryFileSystem()
        let store = CheckpointStore(directory: "/state/checkpoints", fileSystem: disk)
        _ = try store.load()
        try store.write(Self.checkpoint(offset: 100))
        let path = store.path(for: Self.checkpoint(offset: 0).identity)
        let before = try #require(disk.durableContents(atPath: path))

        disk.capacityBytes = disk.usedBytes + 10  // room for a torn start of the new file only
        let attempt = Self.checkpoint(offset: 200)
        let error = #expect(throws: CheckpointError.self) { try store.write(attempt) }
        #expect(error?.path == path)
        if case .writeFailed(let cause)? = error?.code {
            #expect(cause.code == .noSpace)
            #expect(cause.path == path + ".tmp")
        } else {
            Issue.record("expected writeFailed, got \(String(describing: error))")
        }
        #expect(disk.durableContents(atPath: path) == before)
        #expect(try store.read(attempt.identity) == Self.checkpoint(offset: 100))
        #expect(try disk.contentsOfDirectory(atPath: store.directory) == ["9-55.checkpoint"])

        disk.capacityBytes = nil
        try store.write(attempt)
        #expect(try store.read(attempt.identity) == attempt)
    }

    /// Power fails while a checkpoint is being replaced, part of the new bytes on disk in the
    /// temporary file: the old checkpoint is still whole under its name, and `load` removes the
    /// torn temporary file.
    @Test func aPowerLossDuringAWriteLeavesTheOldCheckpointWhole() throws {
        let disk = InMemoryFileSystem()
        let store = CheckpointStore(directory: "/state/checkpoints", fileSystem: disk)
        _ = try store.load()
        try store.write(Self.checkpoint(offset: 100))
        let path = store.path(for: Self.checkpoint(offset: 0).identity)
        // The first half of `DurableFile.replace`: the new bytes written, not yet synced.
        let temporary = try disk.openFile(atPath: path + ".tmp", mode: .createIfMissing)
        try temporary.write(Array("{\"identity\":{\"device\":9,".utf8), at: 0)
        #expect(disk.crash(tearLastWrite: 11) == path + ".tmp")
        #expect(disk.durableContents(atPath: path + ".tmp")?.count == 11, "the torn write reached the disk")

        let loaded = try store.load()
        #expect(loaded.checkpoints == [Self.checkpoint(offset: 100)])
        #expect(try disk.contentsOfDirectory(atPath: store.directory) == ["9-55.checkpoint"])
        try store.write(Self.checkpoint(offset: 200))
        #expect(try store.load().checkpoints == [Self.checkpoint(offset: 200)])
    }

    @Test func aCorruptCheckpointIsAClearError() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = CheckpointStore(directory: directory.path)
        try store.write(Self.checkpoint(offset: 100))
        let path = store.path(for: Self.checkpoint(offset: 0).identity)
        try LogWriter(path: path).write("{\"version\": 1, \"offset\": ")
        let error = #expect(throws: CheckpointError.self) { try store.load() }
        #expect(error?.path == path)
        if case .corrupt(let detail)? = error?.code {
            #expect(!detail.isEmpty)
        } else {
            Issue.record("expected .corrupt, got \(String(describing: error))")
        }
    }

    @Test func anEmptyCheckpointFileIsCorruptNotMissing() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = CheckpointStore(directory: directory.path)
        let identity = Self.checkpoint(offset: 0).identity
        _ = try LogWriter(path: store.path(for: identity))
        #expect(throws: CheckpointError.self) { try store.read(identity) }
    }

    /// A checkpoint copied under another file's name would resume the wrong file.
    @Test func aCheckpointUnderTheWrongNameIsCorrupt() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = CheckpointStore(directory: directory.path)
        try store.write(Self.checkpoint(offset: 100))
        FileOps.rename(store.path(for: Self.checkpoint(offset: 0).identity), directory.file("9-99.checkpoint"))
        #expect(throws: CheckpointError.self) { try store.load() }
    }

    @Test func leftoverTemporaryFilesAreRemovedOnLoad() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try LogWriter(path: directory.file(".9-55.checkpoint.tmp")).write("{\"torn")
        let store = CheckpointStore(directory: directory.path)
        #expect(try store.load().checkpoints.isEmpty)
        #expect(try Self.names(in: directory.path).isEmpty)
    }
}
