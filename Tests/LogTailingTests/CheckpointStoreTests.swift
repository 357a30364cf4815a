import Foundation
import LogTailing
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The real file system, with writes that fail like a full disk while `diskFull` is set.
final class FullDiskFileSystem: CheckpointFileSystem, @unchecked Sendable {
    private let real = PosixCheckpointFileSystem()
    private let lock = NSLock()
    private var full = false
    private(set) var attemptedPaths: [String] = []

    var diskFull: Bool {
        get { lock.withLock { full } }
        set { lock.withLock { full = newValue } }
    }

    func writeAndSync(_ bytes: [UInt8], to path: String) throws(SystemCallError) {
        lock.withLock { attemptedPaths.append(path) }
        if diskFull {
            // A full disk fails part-way: some bytes land in the temporary file first.
            try? real.writeAndSync(Array(bytes.prefix(bytes.count / 2)), to: path)
            throw SystemCallError("write", path: path, errorNumber: ENOSPC)
        }
        try real.writeAndSync(bytes, to: path)
    }

    func rename(_ source: String, to destination: String) throws(SystemCallError) {
        try real.rename(source, to: destination)
    }

    func syncDirectory(_ path: String) throws(SystemCallError) { try real.syncDirectory(path) }
    func contents(of path: String) throws(SystemCallError) -> [UInt8]? { try real.contents(of: path) }
    func entries(of directory: String) throws(SystemCallError) -> [String]? { try real.entries(of: directory) }
    func remove(_ path: String) throws(SystemCallError) { try real.remove(path) }
    func createDirectory(_ path: String) throws(SystemCallError) { try real.createDirectory(path) }
}

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

    /// ENOSPC during the write: the error is thrown, the previous checkpoint stays as it was,
    /// no temporary file is left, and the next write after space returns succeeds.
    @Test func aFullDiskKeepsThePreviousCheckpoint() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let fileSystem = FullDiskFileSystem()
        let store = CheckpointStore(directory: directory.path, fileSystem: fileSystem)
        try store.write(Self.checkpoint(offset: 100))
        let before = try FileOps.contents(store.path(for: Self.checkpoint(offset: 0).identity))

        fileSystem.diskFull = true
        let attempt = Self.checkpoint(offset: 200)
        let error = #expect(throws: CheckpointError.self) { try store.write(attempt) }
        let temporary = try #require(fileSystem.attemptedPaths.last)
        #expect(error == CheckpointError(
            .writeFailed(SystemCallError("write", path: temporary, errorNumber: ENOSPC)),
            path: store.path(for: attempt.identity)))
        #expect(try FileOps.contents(store.path(for: attempt.identity)) == before)
        #expect(try store.read(attempt.identity) == Self.checkpoint(offset: 100))
        #expect(try Self.names(in: directory.path) == ["9-55.checkpoint"])

        fileSystem.diskFull = false
        try store.write(attempt)
        #expect(try store.read(attempt.identity) == attempt)
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
