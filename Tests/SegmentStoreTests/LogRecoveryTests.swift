import FileStorage
import Testing

@testable import SegmentStore

@Suite struct LogRecoveryTests {
    @Test(arguments: [0, 1, 12, 60, 61, 100])
    func aTornLastWriteIsCutAtTheLastWholeBatch(keptBytes: Int) throws {
        let fixture = MemoryLogFixture()
        var log = try fixture.open()
        try fixture.appendMany(30, to: log)
        try log.sync()
        let synced = fixture.appended
        let torn = try fixture.append(
            TestBatches.make(records: 4, payloadBytes: 150, seed: 99), to: log, recordCount: 4,
            maxTimestamp: 1_700_000_000_000)
        #expect(keptBytes < torn.stored.count)

        let tornPath = fixture.fileSystem.crash(tearLastWrite: keptBytes, ofFile: fixture.logPath(base: 0))
        #expect(tornPath == fixture.logPath(base: 0))
        log = try fixture.open()

        #expect(log.recoveryReport.truncatedBytes == Int64(keptBytes))
        #expect(log.logEndOffset == synced.last!.lastOffset + 1)
        try expectBytes(fixture.readAll(log), synced.flatMap(\.stored))
        expectBytes(fixture.fileSystem.contents(atPath: fixture.logPath(base: 0)), synced.flatMap(\.stored))

        // Appends continue at the right offset, and the indexes are what a clean run writes.
        fixture.appended = synced
        try fixture.appendMany(5, to: log, seed: 40)
        try expectBytes(fixture.readAll(log), fixture.expectedBytes)
        try log.close()
        let reference = try fixture.referenceFiles(batches: fixture.appended)
        for kind in SegmentFileName.Kind.allCases {
            let path = fixture.indexPath(base: 0, kind)
            expectBytes(fixture.fileSystem.contents(atPath: path), reference.contents(atPath: path), "\(kind)")
        }
    }

    @Test func aBatchWithADamagedBodyAfterTheLastIndexEntryIsCut() throws {
        let fixture = MemoryLogFixture()
        var log = try fixture.open()
        try fixture.appendMany(30, to: log)
        try log.close()
        // Flip one byte in the records of the last batch: the header is intact, only the
        // validator can tell.
        let file = try fixture.fileSystem.openFile(atPath: fixture.logPath(base: 0), mode: .existing)
        let size = try file.size()
        try file.write([0xEE], at: size - 3)
        file.close()

        log = try fixture.open()
        let kept = fixture.appended.dropLast()
        #expect(log.recoveryReport.truncatedBytes == Int64(fixture.appended.last!.stored.count))
        #expect(log.recoveryReport.truncationReason?.contains("validation") == true)
        #expect(log.logEndOffset == kept.last!.lastOffset + 1)
        try expectBytes(fixture.readAll(log), kept.flatMap(\.stored))
    }

    @Test func scanningStartsAtTheLastIndexEntry() throws {
        let fixture = MemoryLogFixture()
        var log = try fixture.open()
        try fixture.appendMany(30, to: log)
        try log.close()
        let index = try #require(fixture.fileSystem.contents(atPath: fixture.indexPath(base: 0, .offsetIndex)))
        #expect(index.count >= 16)
        let lastOffset = index.suffix(8).prefix(4).reduce(Int64(0)) { $0 << 8 | Int64($1) }
        log = try fixture.open()
        // After a clean stop the recovery point is the log end; the tail from the last index
        // entry is still checked.
        #expect(log.recoveryReport.recoveryPoint == log.logEndOffset)
        #expect(log.recoveryReport.validatedFromOffset == lastOffset)
        #expect(log.recoveryReport.validatedBatches == fixture.appended.filter { $0.lastOffset >= lastOffset }.count)
        #expect(log.recoveryReport.truncatedBytes == 0)
        #expect(log.recoveryReport.rebuiltIndexFiles.isEmpty)
    }

    @Test func indexEntriesBeyondASurvivingLogAreDroppedAndTheIndexRebuilt() throws {
        // The index pages reached the disk, the log pages did not (no ordering without fsync).
        let fixture = MemoryLogFixture()
        var log = try fixture.open()
        try fixture.appendMany(40, to: log)
        try log.close()
        let keptCount = 25
        let kept = Array(fixture.appended.prefix(keptCount))
        let file = try fixture.fileSystem.openFile(atPath: fixture.logPath(base: 0), mode: .existing)
        try file.truncate(toSize: Int64(kept.flatMap(\.stored).count + 17))
        file.close()

        log = try fixture.open()
        #expect(log.recoveryReport.truncatedBytes == 17)
        #expect(log.logEndOffset == kept.last!.lastOffset + 1)
        try expectBytes(fixture.readAll(log), kept.flatMap(\.stored))
        let reference = try fixture.referenceFiles(batches: kept)
        for kind in [SegmentFileName.Kind.offsetIndex, .timeIndex] {
            let path = fixture.indexPath(base: 0, kind)
            expectBytes(fixture.fileSystem.contents(atPath: path), reference.contents(atPath: path))
        }
    }

    @Test func missingIndexesOfEverySegmentAreRebuiltByteIdentical() throws {
        let fixture = MemoryLogFixture(
            configuration: PartitionLogConfiguration(segmentBytes: 3000, indexIntervalBytes: 250))
        var log = try fixture.open()
        try fixture.appendMany(80, to: log)
        let bases = log.segments.map(\.baseOffset)
        #expect(bases.count > 3)
        try log.close()
        var originals: [String: [UInt8]] = [:]
        for base in bases {
            for kind in [SegmentFileName.Kind.offsetIndex, .timeIndex] {
                let path = fixture.indexPath(base: base, kind)
                originals[path] = fixture.fileSystem.contents(atPath: path)
                try fixture.fileSystem.removeFile(atPath: path)
            }
        }
        #expect(originals.values.contains { !$0.isEmpty })

        log = try fixture.open()
        for (path, original) in originals {
            expectBytes(fixture.fileSystem.contents(atPath: path), original, "\(path)")
        }
        let rebuilt = Set(log.recoveryReport.rebuiltIndexFiles)
        #expect(rebuilt == Set(originals.keys.map { String($0.split(separator: "/").last!) }))
        try expectBytes(fixture.readAll(log), fixture.expectedBytes)
        for batch in fixture.appended {
            #expect(
                try log.offset(forTimestamp: batch.maxTimestamp)
                    == fixture.appended.first { $0.maxTimestamp >= batch.maxTimestamp }?.baseOffset)
        }
    }

    @Test func aGarbledIndexOfAnOlderSegmentIsRebuilt() throws {
        let fixture = MemoryLogFixture(
            configuration: PartitionLogConfiguration(segmentBytes: 3000, indexIntervalBytes: 250))
        var log = try fixture.open()
        try fixture.appendMany(40, to: log)
        try log.close()
        let path = fixture.indexPath(base: 0, .offsetIndex)
        let original = try #require(fixture.fileSystem.contents(atPath: path))
        #expect(original.count >= 16)
        let file = try fixture.fileSystem.openFile(atPath: path, mode: .existing)
        try file.write([0xFF, 0xFF, 0xFF, 0xFF], at: 0)  // first entry now above the second
        file.close()

        log = try fixture.open()
        expectBytes(fixture.fileSystem.contents(atPath: path), original)
        #expect(log.recoveryReport.rebuiltIndexFiles.contains(SegmentFileName(baseOffset: 0, kind: .offsetIndex).name))
    }

    @Test func damageInAnOlderSegmentIsReportedNotCut() throws {
        let fixture = MemoryLogFixture(
            configuration: PartitionLogConfiguration(segmentBytes: 3000, indexIntervalBytes: 250))
        let log = try fixture.open()
        try fixture.appendMany(40, to: log)
        try log.close()
        // Garbage appended to the first (closed) segment: it no longer ends where the next starts.
        let file = try fixture.fileSystem.openFile(atPath: fixture.logPath(base: 0), mode: .existing)
        try file.write(TestBatches.make(seed: 3), at: try file.size())
        file.close()
        #expect {
            try fixture.open()
        } throws: { error in
            let error = error as? StorageError
            return error?.code == .corruptSegment && error?.path == fixture.logPath(base: 0)
        }
    }

    @Test func indexFilesWithoutALogAreRemoved() throws {
        let fixture = MemoryLogFixture()
        var log = try fixture.open()
        try fixture.appendMany(5, to: log)
        try log.close()
        let orphan = fixture.indexPath(base: 1000, .offsetIndex)
        _ = try fixture.fileSystem.openFile(atPath: orphan, mode: .createIfMissing)
        let unrelated = fixture.directory + "/00000000000000000000.snapshot"
        _ = try fixture.fileSystem.openFile(atPath: unrelated, mode: .createIfMissing)

        log = try fixture.open()
        #expect(!fixture.fileSystem.fileExists(atPath: orphan))
        #expect(fixture.fileSystem.fileExists(atPath: unrelated))
        #expect(log.recoveryReport.removedFiles == [SegmentFileName(baseOffset: 1000, kind: .offsetIndex).name])
        try expectBytes(fixture.readAll(log), fixture.expectedBytes)
    }

    @Test func aNewDirectoryStartsWithOneEmptySegmentAtOffsetZero() throws {
        let fixture = MemoryLogFixture()
        let log = try fixture.open()
        #expect(log.logStartOffset == 0 && log.logEndOffset == 0)
        let names = try fixture.fileSystem.contentsOfDirectory(atPath: fixture.directory).sorted()
        #expect(names == ["00000000000000000000.index", "00000000000000000000.log", "00000000000000000000.timeindex"])
        // Nothing to store yet: recovery without a recovery point starts at the last segment.
        #expect(log.recoveryPoint == nil)
    }

    @Test func anEmptyLastSegmentAfterARollKeepsTheLogEnd() throws {
        let fixture = MemoryLogFixture()
        var log = try fixture.open()
        try fixture.appendMany(7, to: log)
        try log.roll()
        let end = log.logEndOffset
        fixture.fileSystem.crash()
        log = try fixture.open()
        #expect(log.logEndOffset == end)
        #expect(log.segments.last?.bytes == 0)
        try fixture.appendMany(2, to: log, seed: 5)
        try expectBytes(fixture.readAll(log), fixture.expectedBytes)
    }
}
