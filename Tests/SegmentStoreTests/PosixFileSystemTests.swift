import FileStorage
import Foundation
import Glibc
import PipelineTestSupport
import Testing

@testable import SegmentStore

/// The real disk, in a fresh temp directory per test. Files are inspected and damaged with
/// Foundation, never through the code under test.
@Suite struct PosixFileSystemTests {
    final class TemporaryDirectory {
        let path: String

        init() throws {
            let base = ProcessInfo.processInfo.environment["EDGELOG_TEST_TMPDIR"] ?? "/tmp"
            var template = Array("\(base)/edgelog-segmentstore-XXXXXX".utf8CString)
            let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
            path = String(cString: try #require(created))
        }

        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    private func fixture(
        _ directory: TemporaryDirectory,
        configuration: PartitionLogConfiguration = LogFixture<PosixFileSystem>.defaultConfiguration
    ) -> LogFixture<PosixFileSystem> {
        LogFixture(fileSystem: PosixFileSystem(), directory: directory.path + "/access-0", configuration: configuration)
    }

    private func bytes(atPath path: String) throws -> [UInt8] {
        [UInt8](try #require(FileManager.default.contents(atPath: path)))
    }

    @Test func fileOperationsBehaveAsDocumented() throws {
        let directory = try TemporaryDirectory()
        let fileSystem = PosixFileSystem()
        try fileSystem.createDirectory(atPath: directory.path + "/a/b")
        try fileSystem.createDirectory(atPath: directory.path + "/a/b")
        let path = directory.path + "/a/b/f"
        #expect {
            try fileSystem.openFile(atPath: path, mode: .existing)
        } throws: { error in
            let error = error as? StorageError
            return error?.code == .fileNotFound && error?.errno == ENOENT && error?.path == path
        }
        let file = try fileSystem.openFile(atPath: path, mode: .createIfMissing)
        try file.write([1, 2, 3], at: 0)
        try file.write([9], at: 5)
        try file.sync()
        #expect(try file.size() == 6)
        #expect(try file.read(at: 1, count: 100) == [2, 3, 0, 0, 9])
        try expectBytes(bytes(atPath: path), [1, 2, 3, 0, 0, 9])
        try file.truncate(toSize: 2)
        try expectBytes(bytes(atPath: path), [1, 2])
        #expect(try fileSystem.contentsOfDirectory(atPath: directory.path + "/a/b") == ["f"])
        try fileSystem.renameFile(atPath: path, toPath: directory.path + "/a/g")
        #expect(fileSystem.fileExists(atPath: directory.path + "/a/g"))
        #expect(!fileSystem.fileExists(atPath: path))
        try fileSystem.removeFile(atPath: directory.path + "/a/g")
        #expect(try fileSystem.contentsOfDirectory(atPath: directory.path + "/a") == ["b"])
        file.close()
        #expect { try file.size() } throws: { ($0 as? StorageError)?.code == .closed }
    }

    @Test func modificationTimeIsTheFilesMtime() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/f"
        #expect(FileManager.default.createFile(atPath: path, contents: Data([1])))
        let stamp = Date(timeIntervalSince1970: 1_700_000_123.456)
        try FileManager.default.setAttributes([.modificationDate: stamp], ofItemAtPath: path)
        let milliseconds = try PosixFileSystem().modificationTimeMilliseconds(atPath: path)
        #expect(abs(milliseconds - 1_700_000_123_456) <= 1)
        #expect { try PosixFileSystem().modificationTimeMilliseconds(atPath: path + "-missing") } throws: {
            ($0 as? StorageError)?.code == .fileNotFound
        }
    }

    @Test func segmentFilesListInOffsetOrderWithLs() async throws {
        let directory = try TemporaryDirectory()
        let fixture = fixture(
            directory, configuration: PartitionLogConfiguration(segmentBytes: 500, indexIntervalBytes: 100))
        let log = try fixture.open()
        // 97 records per batch and about two batches per segment: bases cross 100 and 1000, where
        // unpadded names would sort "1164" before "194".
        for index in 0..<30 {
            try fixture.append(
                TestBatches.make(records: 97, payloadBytes: 150, seed: UInt8(index)), to: log, recordCount: 97,
                maxTimestamp: 1_700_000_000_000)
        }
        let bases = log.segments.map(\.baseOffset)
        #expect(bases.contains { $0 < 100 } && bases.contains { $0 >= 1000 })
        try log.close()

        let listing = try await ExternalTool.run(
            "ls", ["-1", fixture.directory], environment: ["LC_ALL": "C", "PATH": "/usr/bin:/bin"])
        #expect(listing.status == 0)
        let logNames = listing.stdoutText.split(separator: "\n").filter { $0.hasSuffix(".log") }
        #expect(logNames.map { Int64($0.prefix(20)) } == bases.sorted().map { Optional($0) })
        #expect(logNames.allSatisfy { $0.count == 24 })
    }

    @Test func bytesAppendedToTheLastSegmentWhileDownAreCutAtStartup() throws {
        let directory = try TemporaryDirectory()
        let fixture = fixture(
            directory, configuration: PartitionLogConfiguration(segmentBytes: 3000, indexIntervalBytes: 250))
        var log = try fixture.open()
        try fixture.appendMany(50, to: log)
        let lastBase = try #require(log.segments.last?.baseOffset)
        let end = log.logEndOffset
        try log.close()

        let lastLog = fixture.logPath(base: lastBase)
        let before = try bytes(atPath: lastLog)
        let garbage = TestBatches.make(records: 2, seed: 77).prefix(45) + [0xDE, 0xAD, 0xBE, 0xEF]
        let handle = try #require(FileHandle(forWritingAtPath: lastLog))
        handle.seekToEndOfFile()
        handle.write(Data(garbage))
        try handle.close()

        log = try fixture.open()
        #expect(log.recoveryReport.truncatedBytes == Int64(garbage.count))
        try expectBytes(bytes(atPath: lastLog), before)
        #expect(log.logEndOffset == end)
        try expectBytes(fixture.readAll(log), fixture.expectedBytes)
        try fixture.appendMany(3, to: log, seed: 9)
        try expectBytes(fixture.readAll(log), fixture.expectedBytes)
    }

    @Test func deletedIndexFilesAreRebuiltByteIdentical() throws {
        let directory = try TemporaryDirectory()
        let fixture = fixture(
            directory, configuration: PartitionLogConfiguration(segmentBytes: 3000, indexIntervalBytes: 250))
        var log = try fixture.open()
        try fixture.appendMany(80, to: log)
        let bases = log.segments.map(\.baseOffset)
        #expect(bases.count > 3)
        try log.close()

        var originals: [String: [UInt8]] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: fixture.directory)
        where name.hasSuffix(".index") || name.hasSuffix(".timeindex") {
            let path = fixture.directory + "/" + name
            originals[path] = try bytes(atPath: path)
            try FileManager.default.removeItem(atPath: path)
        }
        #expect(originals.count == bases.count * 2)
        #expect(originals.values.filter { !$0.isEmpty }.count >= bases.count)

        log = try fixture.open()
        for (path, original) in originals {
            try expectBytes(bytes(atPath: path), original, "\(path)")
        }
        #expect(log.recoveryReport.rebuiltIndexFiles.count == originals.count)
        #expect(log.recoveryReport.truncatedBytes == 0)
        try expectBytes(fixture.readAll(log), fixture.expectedBytes)
        for offset in stride(from: Int64(0), to: log.logEndOffset, by: 7) {
            let batch = try #require(TestBatches.split(try log.read(from: offset, maxBytes: 0)).first)
            #expect(fixture.appended.first { $0.baseOffset <= offset && offset <= $0.lastOffset }?.stored == batch)
        }
    }
}
