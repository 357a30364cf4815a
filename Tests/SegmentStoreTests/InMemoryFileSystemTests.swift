import Glibc
import Testing

@testable import SegmentStore

@Suite struct InMemoryFileSystemTests {
    private func fileSystemWithDirectory() throws -> InMemoryFileSystem {
        let fileSystem = InMemoryFileSystem()
        try fileSystem.createDirectory(atPath: "/data/t-0")
        return fileSystem
    }

    @Test func writesReadBackAtTheirPositions() throws {
        let fileSystem = try fileSystemWithDirectory()
        let file = try fileSystem.openFile(atPath: "/data/t-0/a", mode: .createIfMissing)
        try file.write([1, 2, 3], at: 0)
        try file.write([9], at: 5)
        try expectBytes(file.readAll(), [1, 2, 3, 0, 0, 9])
        #expect(try file.read(at: 2, count: 10) == [3, 0, 0, 9])
        try file.truncate(toSize: 2)
        #expect(try file.size() == 2)
    }

    @Test func aCrashKeepsOnlySyncedBytes() throws {
        let fileSystem = try fileSystemWithDirectory()
        let file = try fileSystem.openFile(atPath: "/data/t-0/a", mode: .createIfMissing)
        try file.write([1, 2, 3], at: 0)
        try file.sync()
        try file.write([4, 5], at: 3)
        try file.truncate(toSize: 1)
        fileSystem.crash()
        expectBytes(fileSystem.contents(atPath: "/data/t-0/a"), [1, 2, 3])
        #expect { try file.size() } throws: { ($0 as? StorageError)?.code == .closed }
        let reopened = try fileSystem.openFile(atPath: "/data/t-0/a", mode: .existing)
        try expectBytes(reopened.readAll(), [1, 2, 3])
    }

    @Test func aTornWriteKeepsAPrefixOfTheLastUnsyncedWriteOnly() throws {
        let fileSystem = try fileSystemWithDirectory()
        let a = try fileSystem.openFile(atPath: "/data/t-0/a", mode: .createIfMissing)
        let b = try fileSystem.openFile(atPath: "/data/t-0/b", mode: .createIfMissing)
        try a.write([1, 1], at: 0)
        try a.sync()
        try a.write([2, 2, 2, 2], at: 2)
        try b.write([7, 7, 7], at: 0)
        #expect(fileSystem.crash(tearLastWrite: 2) == "/data/t-0/b")
        expectBytes(fileSystem.contents(atPath: "/data/t-0/a"), [1, 1])
        expectBytes(fileSystem.contents(atPath: "/data/t-0/b"), [7, 7])

        let again = try fileSystem.openFile(atPath: "/data/t-0/a", mode: .existing)
        try again.write([3, 3, 3], at: 2)
        #expect(fileSystem.crash(tearLastWrite: 1, ofFile: "/data/t-0/a") == "/data/t-0/a")
        expectBytes(fileSystem.contents(atPath: "/data/t-0/a"), [1, 1, 3])
        #expect(fileSystem.durableContents(atPath: "/data/t-0/a") == [1, 1, 3])
    }

    @Test func injectedErrorsLookLikeTheRealOnes() throws {
        let fileSystem = try fileSystemWithDirectory()
        let file = try fileSystem.openFile(atPath: "/data/t-0/x.log", mode: .createIfMissing)
        fileSystem.failNextWrites(with: ENOSPC, pathSuffix: ".log", writingPrefix: 2)
        #expect {
            try file.write([1, 2, 3, 4], at: 0)
        } throws: { error in
            let error = error as? StorageError
            return error?.code == .noSpace && error?.errno == ENOSPC && error?.path == "/data/t-0/x.log"
        }
        try expectBytes(file.readAll(), [1, 2])
        try file.write([5], at: 2)  // the fault was used up
        fileSystem.failNext(.sync, count: 2, with: EIO)
        #expect { try file.sync() } throws: { ($0 as? StorageError)?.code == .ioFailure }
        #expect { try file.sync() } throws: { ($0 as? StorageError)?.errno == EIO }
        try file.sync()
        fileSystem.failNext(.create, with: ENOSPC)
        #expect {
            try fileSystem.openFile(atPath: "/data/t-0/y", mode: .createIfMissing)
        } throws: { ($0 as? StorageError)?.code == .noSpace }
        #expect(!fileSystem.fileExists(atPath: "/data/t-0/y"))
    }

    @Test func directoriesListRenameAndRemove() throws {
        let fileSystem = try fileSystemWithDirectory()
        _ = try fileSystem.openFile(atPath: "/data/t-0/a", mode: .createIfMissing)
        let b = try fileSystem.openFile(atPath: "/data/t-0/b", mode: .createIfMissing)
        try fileSystem.createDirectory(atPath: "/data/t-0/sub")
        #expect(try fileSystem.contentsOfDirectory(atPath: "/data/t-0").sorted() == ["a", "b", "sub"])
        #expect(try fileSystem.contentsOfDirectory(atPath: "/data") == ["t-0"])
        try fileSystem.renameFile(atPath: "/data/t-0/a", toPath: "/data/t-0/c")
        try fileSystem.removeFile(atPath: "/data/t-0/b")
        #expect(try fileSystem.contentsOfDirectory(atPath: "/data/t-0").sorted() == ["c", "sub"])
        // A removed file's handle still works, as after unlink.
        try b.write([1], at: 0)
        try expectBytes(b.readAll(), [1])
        #expect {
            try fileSystem.openFile(atPath: "/data/t-0/b", mode: .existing)
        } throws: { ($0 as? StorageError)?.code == .fileNotFound }
        #expect {
            try fileSystem.openFile(atPath: "/nowhere/x", mode: .createIfMissing)
        } throws: { ($0 as? StorageError)?.code == .fileNotFound }
    }
}
