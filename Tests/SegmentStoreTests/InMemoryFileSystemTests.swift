import FileStorage
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

    @Test func aFullDiskWritesWhatFitsThenFailsWithENOSPCUntilSpaceIsFreed() throws {
        let fileSystem = try fileSystemWithDirectory()
        let file = try fileSystem.openFile(atPath: "/data/t-0/a", mode: .createIfMissing)
        try file.write([UInt8](repeating: 1, count: 10), at: 0)
        fileSystem.capacityBytes = 14
        #expect {
            try file.write([UInt8](repeating: 2, count: 8), at: 8)
        } throws: { error in
            (error as? StorageError)?.code == .noSpace && (error as? StorageError)?.errno == ENOSPC
        }
        // Bytes 8..<10 overwritten, 4 more appended: exactly the capacity.
        try expectBytes(file.readAll(), [UInt8](repeating: 1, count: 8) + [UInt8](repeating: 2, count: 6))
        // Overwriting in place needs no space.
        try file.write([3, 3], at: 0)
        try file.truncate(toSize: 4)
        try file.write([UInt8](repeating: 4, count: 6), at: 4)
        #expect(fileSystem.usedBytes == 10)
        fileSystem.capacityBytes = nil
        try file.write([UInt8](repeating: 5, count: 100), at: 10)
        #expect(try file.size() == 110)
    }

    @Test func modificationTimesFollowTheInjectedClock() throws {
        let clock = ManualClock()
        let fileSystem = InMemoryFileSystem(clock: clock.wallClock)
        try fileSystem.createDirectory(atPath: "/d")
        let file = try fileSystem.openFile(atPath: "/d/f", mode: .createIfMissing)
        let created = clock.milliseconds
        #expect(try fileSystem.modificationTimeMilliseconds(atPath: "/d/f") == created)
        clock.advance(by: 5000)
        try file.sync()
        #expect(try fileSystem.modificationTimeMilliseconds(atPath: "/d/f") == created, "a sync changes no content")
        try file.write([1], at: 0)
        #expect(try fileSystem.modificationTimeMilliseconds(atPath: "/d/f") == created + 5000)
        clock.advance(by: 5000)
        try file.truncate(toSize: 0)
        #expect(try fileSystem.modificationTimeMilliseconds(atPath: "/d/f") == created + 10_000)
        #expect { try fileSystem.modificationTimeMilliseconds(atPath: "/d/missing") } throws: {
            ($0 as? StorageError)?.code == .fileNotFound
        }
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

    @Test func writtenBackBytesSurviveACrashWithZerosInTheGapsBeforeThem() throws {
        let fileSystem = try fileSystemWithDirectory()
        let file = try fileSystem.openFile(atPath: "/data/t-0/a", mode: .createIfMissing)
        try file.write([1, 2], at: 0)
        try file.sync()
        try file.write([3, 4, 5, 6, 7, 8], at: 2)
        #expect(fileSystem.writeBack(atPath: "/data/t-0/a", range: 5..<7))
        #expect(fileSystem.writeBack(atPath: "/data/t-0/a", range: 7..<100))  // clamped to the file
        #expect(!fileSystem.writeBack(atPath: "/data/t-0/missing", range: 0..<1))
        expectBytes(fileSystem.durableContents(atPath: "/data/t-0/a"), [1, 2, 0, 0, 0, 6, 7, 8])
        fileSystem.crash()
        expectBytes(fileSystem.contents(atPath: "/data/t-0/a"), [1, 2, 0, 0, 0, 6, 7, 8])
    }

    @Test func aLostSyncSucceedsButKeepsNothing() throws {
        let fileSystem = try fileSystemWithDirectory()
        let log = try fileSystem.openFile(atPath: "/data/t-0/x.log", mode: .createIfMissing)
        let index = try fileSystem.openFile(atPath: "/data/t-0/x.index", mode: .createIfMissing)
        fileSystem.loseNextSyncs(1, pathSuffix: ".log")
        try log.write([1, 2, 3], at: 0)
        try index.write([9], at: 0)
        try index.sync()
        try log.sync()  // returns, keeps nothing
        #expect(fileSystem.durableContents(atPath: "/data/t-0/x.log") == [])
        try log.sync()  // the fault was used up
        #expect(fileSystem.durableContents(atPath: "/data/t-0/x.log") == [1, 2, 3])
        #expect(fileSystem.durableContents(atPath: "/data/t-0/x.index") == [9])
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

    /// `.remove` fails before the unlink, `.removeSync` after it (a failed directory fsync):
    /// the caller sees an error either way, but only the second leaves the file gone.
    @Test func aRemovalCanFailBeforeOrAfterTheUnlink() throws {
        let fileSystem = try fileSystemWithDirectory()
        _ = try fileSystem.openFile(atPath: "/data/t-0/a.offsets", mode: .createIfMissing)
        _ = try fileSystem.openFile(atPath: "/data/t-0/b.offsets", mode: .createIfMissing)
        fileSystem.failNext(.remove, with: EIO, pathSuffix: "a.offsets")
        fileSystem.failNext(.removeSync, with: EIO, pathSuffix: "b.offsets")
        #expect { try fileSystem.removeFile(atPath: "/data/t-0/a.offsets") } throws: { error in
            let error = error as? StorageError
            return error?.errno == EIO && error?.path == "/data/t-0/a.offsets"
        }
        #expect(fileSystem.fileExists(atPath: "/data/t-0/a.offsets"))
        #expect { try fileSystem.removeFile(atPath: "/data/t-0/b.offsets") } throws: { error in
            let error = error as? StorageError
            return error?.errno == EIO && error?.path == "/data/t-0"
        }
        #expect(!fileSystem.fileExists(atPath: "/data/t-0/b.offsets"))
        fileSystem.crash()
        #expect(!fileSystem.fileExists(atPath: "/data/t-0/b.offsets"))
        try fileSystem.removeFile(atPath: "/data/t-0/a.offsets")  // the faults were used up
        #expect(try fileSystem.contentsOfDirectory(atPath: "/data/t-0").isEmpty)
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
