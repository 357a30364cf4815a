import FileStorage
import Glibc
import KafkaProtocol
import NIOCore
import Testing

@testable import SegmentStore

@Suite struct PartitionLogTests {
    @Test func appendAssignsContiguousOffsetsAndStoresTheBytesWithThem() throws {
        let fixture = MemoryLogFixture()
        let log = try fixture.open()
        try fixture.appendMany(60, to: log)
        #expect(log.logStartOffset == 0)
        #expect(log.logEndOffset == fixture.appended.last!.lastOffset + 1)
        try expectBytes(fixture.readAll(log), fixture.expectedBytes)
        // The bytes in the file are the batches with their offsets, back to back.
        expectBytes(fixture.fileSystem.contents(atPath: fixture.logPath(base: 0)), fixture.expectedBytes)
    }

    @Test func severalBatchesInOneAppendGetConsecutiveOffsets() throws {
        let fixture = MemoryLogFixture()
        let log = try fixture.open()
        let first = TestBatches.make(records: 3, seed: 1)
        let second = TestBatches.make(records: 2, seed: 2)
        let result = try log.append(first + second)
        #expect(result.baseOffset == 0 && result.lastOffset == 4)
        let expected = TestBatches.stored(first, at: 0) + TestBatches.stored(second, at: 3)
        try expectBytes(log.read(from: 0, maxBytes: 1 << 20), expected)
        #expect(log.logEndOffset == 5)
    }

    @Test func readAtEveryOffsetReturnsWholeBatchesStartingWithTheOneHoldingIt() throws {
        let fixture = MemoryLogFixture(
            configuration: PartitionLogConfiguration(segmentBytes: 4000, indexIntervalBytes: 300))
        let log = try fixture.open()
        try fixture.appendMany(80, to: log)
        #expect(log.segments.count > 1)
        for maxBytes in [0, 500, 5000] {
            for offset in 0..<log.logEndOffset {
                let bytes = try log.read(from: offset, maxBytes: maxBytes)
                let batches = TestBatches.split(bytes)
                let holding = try #require(
                    fixture.appended.firstIndex { $0.baseOffset <= offset && offset <= $0.lastOffset })
                expectBytes(batches.first, fixture.appended[holding].stored)
                // Consecutive whole batches as appended, within maxBytes unless there is only one.
                for (index, batch) in batches.enumerated() {
                    expectBytes(batch, fixture.appended[holding + index].stored)
                }
                #expect(batches.count == 1 || bytes.count <= maxBytes)
            }
        }
        #expect(try log.read(from: log.logEndOffset, maxBytes: 100).isEmpty)
    }

    @Test func readOutsideTheLogThrowsOffsetOutOfRange() throws {
        let fixture = MemoryLogFixture()
        let log = try fixture.open()
        try fixture.appendMany(3, to: log)
        #expect {
            try log.read(from: log.logEndOffset + 1, maxBytes: 100)
        } throws: { ($0 as? StorageError)?.code == .offsetOutOfRange }
        #expect {
            try log.read(from: -1, maxBytes: 100)
        } throws: { ($0 as? StorageError)?.code == .offsetOutOfRange }
    }

    @Test func readUpToAnEndOffsetStopsBeforeIt() throws {
        let fixture = MemoryLogFixture()
        let log = try fixture.open()
        try fixture.appendMany(10, to: log)
        let limit = fixture.appended[4].baseOffset
        let batches = TestBatches.split(try log.read(from: 0, maxBytes: 1 << 20, upTo: limit))
        #expect(batches == fixture.appended[0..<4].map(\.stored))
        #expect(try log.read(from: limit, maxBytes: 1 << 20, upTo: limit).isEmpty)
    }

    @Test func syncMovesTheDurableEndAndOnlyUnsyncedBatchesAreLostInACrash() throws {
        let fixture = MemoryLogFixture()
        var log = try fixture.open()
        try fixture.appendMany(10, to: log)
        #expect(log.durableEndOffset == 0)
        let durable = try log.sync()
        #expect(durable == log.logEndOffset)
        #expect(log.durableEndOffset == fixture.appended.last!.lastOffset + 1)
        let syncedCount = fixture.appended.count
        try fixture.appendMany(5, to: log, seed: 100)
        #expect(log.durableEndOffset == durable)

        fixture.fileSystem.crash()
        log = try fixture.open()
        #expect(log.logEndOffset == durable)
        #expect(log.durableEndOffset == durable)
        try expectBytes(fixture.readAll(log), fixture.appended[0..<syncedCount].flatMap(\.stored))
    }

    @Test func invalidBatchesAreRejectedAndNothingIsAppended() throws {
        let fixture = MemoryLogFixture()
        let log = try fixture.open()
        try fixture.appendMany(2, to: log)
        let good = TestBatches.make(records: 2, seed: 9)
        var badChecksum = good
        badChecksum[good.count - 1] ^= 0xFF
        var badMagic = good
        badMagic[16] = 1
        var lengthTooShort = good
        lengthTooShort.replaceSubrange(8..<12, with: [0, 0, 0, 48])
        var countMismatch = good
        countMismatch.replaceSubrange(23..<27, with: [0, 0, 0, 5])
        let candidates: [[UInt8]] = [
            badChecksum, badMagic, lengthTooShort, countMismatch,
            Array(good.prefix(60)),  // shorter than a header
            Array(good.dropLast()),  // shorter than its batchLength says
            good + [0, 1, 2],  // trailing bytes that are no batch
            [],
        ]
        let end = log.logEndOffset
        for bytes in candidates {
            #expect {
                try log.append(bytes)
            } throws: { ($0 as? StorageError)?.code == .invalidBatch }
        }
        #expect(log.logEndOffset == end)
        try expectBytes(fixture.readAll(log), fixture.expectedBytes)
    }

    @Test func batchesOverTheLimitAreRejected() throws {
        let fixture = MemoryLogFixture(
            configuration: PartitionLogConfiguration(segmentBytes: 1 << 20, maxBatchBytes: 200))
        let log = try fixture.open()
        #expect {
            try log.append(TestBatches.make(payloadBytes: 200))
        } throws: { ($0 as? StorageError)?.code == .invalidBatch }
        try log.append(TestBatches.make(payloadBytes: 200 - 61))
    }

    /// The error says why: a batch only over the size limit is "too large" (the broker answers
    /// MESSAGE_TOO_LARGE), a damaged one is not — also when the big batch did not arrive whole,
    /// and whether the log or the caller parsed the headers.
    @Test func aBatchOverTheLimitIsNamedTooLarge() throws {
        let fixture = MemoryLogFixture(
            configuration: PartitionLogConfiguration(segmentBytes: 1 << 20, maxBatchBytes: 200))
        let log = try fixture.open()
        let small = TestBatches.make(payloadBytes: 20)
        let big = TestBatches.make(payloadBytes: 200)
        func error(_ append: () throws -> Void) -> StorageError? {
            do {
                try append()
                return nil
            } catch {
                return error as? StorageError
            }
        }
        let raw = error { try log.append(small + big) }
        #expect(raw?.isBatchTooLarge == true)
        #expect(raw?.batchDefect == .tooLarge(bytes: big.count, limit: 200))
        #expect(raw?.position == Int64(small.count))
        #expect(error { try log.append(small + big.prefix(100)) }?.isBatchTooLarge == true)
        let parsed = try RecordBatches(parsing: ByteBuffer(bytes: small + big))
        #expect(error { try log.append(parsed) }?.isBatchTooLarge == true)
        var damaged = small
        damaged[damaged.count - 1] ^= 0xFF
        let corrupt = error { try log.append(damaged) }
        #expect(corrupt?.code == .invalidBatch)
        #expect(corrupt?.batchDefect == .checksumMismatch)
        #expect(corrupt?.isBatchTooLarge == false)
        #expect(log.logEndOffset == 0)
        let stored = try log.append(RecordBatches(parsing: ByteBuffer(bytes: small)))
        #expect(stored.baseOffset == 0 && stored.lastOffset == 0)
    }

    @Test func noSpaceDuringAnAppendLeavesTheLogConsistentAndAppendsContinue() throws {
        let fixture = MemoryLogFixture()
        var log = try fixture.open()
        try fixture.appendMany(20, to: log)
        let end = log.logEndOffset
        // The disk fills in the middle of the batch: part of it lands in the file.
        fixture.fileSystem.failNextWrites(with: ENOSPC, pathSuffix: ".log", writingPrefix: 30)
        #expect {
            try log.append(TestBatches.make(records: 3, seed: 50))
        } throws: { error in
            let error = error as? StorageError
            return error?.code == .noSpace && error?.errno == ENOSPC
        }
        #expect(log.logEndOffset == end)
        try expectBytes(fixture.readAll(log), fixture.expectedBytes)
        expectBytes(fixture.fileSystem.contents(atPath: fixture.logPath(base: 0)), fixture.expectedBytes)

        // Space again: the next batch gets the next offset and lands right after the last one.
        try fixture.appendMany(5, to: log, seed: 7)
        try expectBytes(fixture.readAll(log), fixture.expectedBytes)
        try log.close()
        log = try fixture.open()
        #expect(log.recoveryReport.truncatedBytes == 0)
        try expectBytes(fixture.readAll(log), fixture.expectedBytes)
    }

    @Test func noSpaceOnAnIndexWriteUndoesTheWholeAppend() throws {
        let fixture = MemoryLogFixture(
            configuration: PartitionLogConfiguration(segmentBytes: 1 << 20, indexIntervalBytes: 0))
        var log = try fixture.open()
        try fixture.appendMany(5, to: log)
        let indexBefore = fixture.fileSystem.contents(atPath: fixture.indexPath(base: 0, .offsetIndex))
        fixture.fileSystem.failNextWrites(with: ENOSPC, pathSuffix: ".index", writingPrefix: 3)
        #expect {
            try log.append(TestBatches.make(records: 2, seed: 60))
        } throws: { ($0 as? StorageError)?.code == .noSpace }
        expectBytes(fixture.fileSystem.contents(atPath: fixture.logPath(base: 0)), fixture.expectedBytes)
        expectBytes(fixture.fileSystem.contents(atPath: fixture.indexPath(base: 0, .offsetIndex)), indexBefore)
        try fixture.appendMany(3, to: log, seed: 11)
        try log.close()
        log = try fixture.open()
        #expect(log.recoveryReport.rebuiltIndexFiles.isEmpty)
        try expectBytes(fixture.readAll(log), fixture.expectedBytes)
    }

    @Test func aTailThatCouldNotBeCutAfterAFailedAppendIsCutBeforeTheNextOne() throws {
        let fixture = MemoryLogFixture()
        let log = try fixture.open()
        try fixture.appendMany(4, to: log)
        fixture.fileSystem.failNextWrites(with: ENOSPC, pathSuffix: ".log", writingPrefix: 100)
        fixture.fileSystem.failNext(.truncate, with: EIO, pathSuffix: ".log")
        #expect(throws: StorageError.self) { try log.append(TestBatches.make(payloadBytes: 200, seed: 3)) }
        // A shorter batch next: without the cut, bytes of the failed one would trail it.
        try fixture.appendMany(1, to: log, seed: 1)
        expectBytes(fixture.fileSystem.contents(atPath: fixture.logPath(base: 0)), fixture.expectedBytes)
    }

    @Test func aFailedSyncStopsWritesUntilReopened() throws {
        let fixture = MemoryLogFixture()
        var log = try fixture.open()
        try fixture.appendMany(3, to: log)
        fixture.fileSystem.failNext(.sync, with: EIO)
        #expect(throws: StorageError.self) { try log.sync() }
        #expect(log.durableEndOffset == 0)
        #expect(throws: StorageError.self) { try log.append(TestBatches.make()) }
        #expect(throws: StorageError.self) { try log.sync() }
        // Reads still work; reopening recovers what is on disk.
        try expectBytes(fixture.readAll(log), fixture.expectedBytes)
        try log.close()
        log = try fixture.open()
        try expectBytes(fixture.readAll(log), fixture.expectedBytes)
        try fixture.appendMany(1, to: log)
    }

    @Test func resetAfterAFailedSyncCutsBackToTheDurableEndAndAcceptsWritesAgain() throws {
        let fixture = MemoryLogFixture()
        let log = try fixture.open()
        try fixture.appendMany(4, to: log)
        let durable = try log.sync()
        let durableBytes = fixture.expectedBytes
        // Appended after the sync, then the disk fails the next sync.
        let unsynced = TestBatches.make(records: 2, seed: 9)
        try log.append(unsynced)
        fixture.fileSystem.failNext(.sync, with: ENOSPC)
        #expect { try log.sync() } throws: { ($0 as? StorageError)?.code == .noSpace }
        #expect(log.hasFailed)
        #expect(throws: StorageError.self) { try log.append(TestBatches.make()) }

        // The bytes after the durable end were never acknowledged: reset drops them.
        #expect(try log.reset())
        #expect(!log.hasFailed)
        #expect(log.logEndOffset == durable)
        #expect(log.durableEndOffset == durable)
        try expectBytes(fixture.readAll(log), durableBytes)
        expectBytes(fixture.fileSystem.contents(atPath: fixture.logPath(base: 0)), durableBytes)
        try fixture.appendMany(2, to: log, seed: 3)
        try expectBytes(fixture.readAll(log), fixture.expectedBytes)
        #expect(try log.reset() == false, "a healthy log is left alone")
    }

    @Test func aResetThatFailsCanBeRetried() throws {
        let fixture = MemoryLogFixture()
        let log = try fixture.open()
        try fixture.appendMany(3, to: log)
        try log.sync()
        let durableBytes = fixture.expectedBytes
        try log.append(TestBatches.make(records: 1, seed: 4))
        fixture.fileSystem.failNext(.sync, with: EIO)
        #expect(throws: StorageError.self) { try log.sync() }
        fixture.fileSystem.failNext(.truncate, with: EIO)
        #expect(throws: StorageError.self) { try log.reset() }
        #expect(log.hasFailed)
        #expect(try log.reset())
        try expectBytes(fixture.readAll(log), durableBytes)
    }

    @Test func batchHeadersAreWalkedFromAnyOffsetAcrossSegments() throws {
        let fixture = MemoryLogFixture(
            configuration: PartitionLogConfiguration(segmentBytes: 3000, indexIntervalBytes: 300))
        let log = try fixture.open()
        try fixture.appendMany(60, to: log)
        #expect(log.segments.count > 2)
        for start in [0, 1, 37, fixture.appended[40].baseOffset, log.logEndOffset - 1] {
            var seen: [(Int64, Int64)] = []
            try log.forEachBatchHeader(from: start) { seen.append(($0.baseOffset, $0.lastOffset)) }
            let expected = fixture.appended.filter { $0.lastOffset >= start }.map { ($0.baseOffset, $0.lastOffset) }
            #expect(seen.map(\.0) == expected.map(\.0))
            #expect(seen.map(\.1) == expected.map(\.1))
        }
        var none = 0
        try log.forEachBatchHeader(from: log.logEndOffset) { _ in none += 1 }
        #expect(none == 0)
        #expect { try log.forEachBatchHeader(from: log.logEndOffset + 1) { _ in } } throws: {
            ($0 as? StorageError)?.code == .offsetOutOfRange
        }
    }

    @Test func segmentsKnowWhenTheyWereLastAppendedToAcrossRestarts() throws {
        let clock = ManualClock()
        let fixture = LogFixture(
            fileSystem: InMemoryFileSystem(clock: clock.wallClock),
            directory: "/data/access-0",
            configuration: PartitionLogConfiguration(segmentBytes: 2000, indexIntervalBytes: 300)
        )
        var log = try PartitionLog(
            directory: fixture.directory, fileSystem: fixture.fileSystem, configuration: fixture.configuration,
            validator: TestBatches.validator, clock: clock.wallClock, logger: .test)
        var expected: [Int64] = []
        while log.segments.count < 3 {
            clock.advance(by: 60_000)
            let before = log.segments.count
            try fixture.appendMany(1, to: log, seed: fixture.appended.count)
            if log.segments.count > before { expected.append(clock.milliseconds - 60_000) }
        }
        expected.append(clock.milliseconds)
        #expect(log.segments.map(\.lastAppendMilliseconds) == expected)
        #expect(log.segments.map(\.isActive) == [false, false, true])
        #expect(log.sizeInBytes == Int64(fixture.expectedBytes.count))
        try log.close()
        clock.advance(by: 3_600_000)
        log = try PartitionLog(
            directory: fixture.directory, fileSystem: fixture.fileSystem, configuration: fixture.configuration,
            validator: TestBatches.validator, clock: clock.wallClock, logger: .test)
        #expect(log.segments.map(\.lastAppendMilliseconds) == expected)
    }

    @Test func aFullDiskFailsAppendsWithoutDamageAndAppendsResumeWhenSpaceReturns() throws {
        let fixture = MemoryLogFixture()
        var log = try fixture.open()
        try fixture.appendMany(5, to: log)
        try log.sync()
        fixture.fileSystem.capacityBytes = fixture.fileSystem.usedBytes + 100
        var failures = 0
        for seed in 0..<5 {
            do {
                try fixture.appendMany(1, to: log, seed: 100 + seed)
            } catch let error as StorageError {
                #expect(error.code == .noSpace)
                failures += 1
            }
        }
        #expect(failures > 0)
        try expectBytes(fixture.readAll(log), fixture.expectedBytes)
        expectBytes(fixture.fileSystem.contents(atPath: fixture.logPath(base: 0)), fixture.expectedBytes)
        try log.sync()
        fixture.fileSystem.capacityBytes = nil
        try fixture.appendMany(3, to: log, seed: 7)
        try log.close()
        log = try fixture.open()
        #expect(log.recoveryReport.truncatedBytes == 0)
        #expect(log.recoveryReport.rebuiltIndexFiles.isEmpty)
        try expectBytes(fixture.readAll(log), fixture.expectedBytes)
    }

    @Test func rollsBySize() throws {
        let segmentBytes = 2000
        let fixture = MemoryLogFixture(
            configuration: PartitionLogConfiguration(segmentBytes: segmentBytes, indexIntervalBytes: 300))
        let log = try fixture.open()
        try fixture.appendMany(60, to: log)
        let segments = log.segments
        #expect(segments.count > 3)
        // Each segment starts where the previous ended, holds at most segmentBytes, and would
        // have overflowed with the first batch of the next one.
        var expectedBase: Int64 = 0
        for (index, segment) in segments.enumerated() {
            #expect(segment.baseOffset == expectedBase)
            #expect(segment.bytes <= Int64(segmentBytes))
            let batchesInSegment = fixture.appended.filter {
                $0.baseOffset >= segment.baseOffset && $0.lastOffset < segment.endOffset
            }
            #expect(Int64(batchesInSegment.reduce(0) { $0 + $1.stored.count }) == segment.bytes)
            if index + 1 < segments.count {
                let next = try #require(fixture.appended.first { $0.baseOffset == segment.endOffset })
                #expect(segment.bytes + Int64(next.stored.count) > Int64(segmentBytes))
                #expect(
                    fixture.fileSystem.contents(atPath: fixture.logPath(base: segment.baseOffset))
                        == batchesInSegment.flatMap(\.stored)
                )
            }
            expectedBase = segment.endOffset
        }
        #expect(expectedBase == log.logEndOffset)
        try expectBytes(fixture.readAll(log), fixture.expectedBytes)
    }

    @Test func rollsByAge() throws {
        let fixture = MemoryLogFixture(
            configuration: PartitionLogConfiguration(
                segmentBytes: 1 << 20, segmentAgeMilliseconds: 60_000, indexIntervalBytes: 300)
        )
        let log = try fixture.open()
        try fixture.appendMany(3, to: log)
        fixture.clock.advance(by: 59_999)
        try fixture.appendMany(1, to: log, seed: 3)
        #expect(log.segments.count == 1)
        fixture.clock.advance(by: 1)
        try fixture.appendMany(1, to: log, seed: 4)
        #expect(log.segments.map(\.baseOffset) == [0, fixture.appended[4].baseOffset])
        // The new segment's age starts now.
        fixture.clock.advance(by: 59_999)
        try fixture.appendMany(1, to: log, seed: 5)
        #expect(log.segments.count == 2)
        try expectBytes(fixture.readAll(log), fixture.expectedBytes)
    }

    @Test func aFailedRollIsRetriedBeforeAnythingMoreIsAppended() throws {
        let fixture = MemoryLogFixture(
            configuration: PartitionLogConfiguration(segmentBytes: 1000, indexIntervalBytes: 300))
        var log = try fixture.open()
        for seed in 0..<3 {
            try fixture.append(
                TestBatches.make(payloadBytes: 239, seed: UInt8(seed)), to: log, recordCount: 1,
                maxTimestamp: 1_700_000_000_000)
        }
        #expect(log.segments.map(\.bytes) == [900])
        // The roll creates the new .log, then the disk is full for its .index.
        fixture.fileSystem.failNext(.create, with: ENOSPC, pathSuffix: ".index")
        #expect {
            try log.append(TestBatches.make(payloadBytes: 239, seed: 9))
        } throws: { ($0 as? StorageError)?.code == .noSpace }
        #expect(fixture.fileSystem.fileExists(atPath: fixture.logPath(base: 3)))
        // This batch would fit the old segment, but the half-made one at offset 3 must not end
        // up inside it: it goes to the new segment.
        try fixture.append(
            TestBatches.make(payloadBytes: 9, seed: 10), to: log, recordCount: 1, maxTimestamp: 1_700_000_000_000)
        #expect(log.segments.map(\.baseOffset) == [0, 3])
        try log.close()
        log = try fixture.open()
        #expect(log.segments.map(\.baseOffset) == [0, 3])
        try expectBytes(fixture.readAll(log), fixture.expectedBytes)
    }

    @Test func anEmptySegmentNeverRollsHoweverOld() throws {
        let fixture = MemoryLogFixture(
            configuration: PartitionLogConfiguration(
                segmentBytes: 1 << 20, segmentAgeMilliseconds: 1000, indexIntervalBytes: 300)
        )
        let log = try fixture.open()
        fixture.clock.advance(by: 10_000)
        try fixture.appendMany(1, to: log)
        #expect(log.segments.count == 1)
        try log.roll()
        try log.roll()
        #expect(log.segments.map(\.baseOffset) == [0, 1])
    }

    @Test func rollingMakesTheOldSegmentDurable() throws {
        let fixture = MemoryLogFixture()
        var log = try fixture.open()
        try fixture.appendMany(10, to: log)
        try log.roll()
        #expect(log.durableEndOffset == log.logEndOffset)
        fixture.fileSystem.crash()
        log = try fixture.open()
        try expectBytes(fixture.readAll(log), fixture.expectedBytes)
        #expect(log.segments.map(\.baseOffset) == [0, fixture.appended.last!.lastOffset + 1])
    }

    @Test func offsetForTimestampMatchesALinearScan() throws {
        let fixture = MemoryLogFixture(
            configuration: PartitionLogConfiguration(segmentBytes: 3000, indexIntervalBytes: 200))
        let log = try fixture.open()
        try fixture.appendMany(70, to: log)
        #expect(log.segments.count > 2)
        let timestamps = fixture.appended.map(\.maxTimestamp)
        let probes = Set(timestamps + timestamps.map { $0 + 1 } + timestamps.map { $0 - 1 } + [0, Int64.max])
        for probe in probes {
            let expected = fixture.appended.first { $0.maxTimestamp >= probe }?.baseOffset
            #expect(try log.offset(forTimestamp: probe) == expected, "timestamp \(probe)")
        }
    }

    @Test func deleteSegmentsRemovesWholeOldSegmentsButNeverTheActiveOne() throws {
        let fixture = MemoryLogFixture(
            configuration: PartitionLogConfiguration(segmentBytes: 2000, indexIntervalBytes: 300))
        var log = try fixture.open()
        try fixture.appendMany(40, to: log)
        let segments = log.segments
        #expect(segments.count >= 3)
        // An offset inside the second segment deletes only the first.
        let deleted = try log.deleteSegments(before: segments[1].baseOffset + 1)
        #expect(deleted == [0])
        #expect(log.logStartOffset == segments[1].baseOffset)
        for kind in SegmentFileName.Kind.allCases {
            #expect(!fixture.fileSystem.fileExists(atPath: fixture.indexPath(base: 0, kind)))
        }
        #expect {
            try log.read(from: 0, maxBytes: 100)
        } throws: { ($0 as? StorageError)?.code == .offsetOutOfRange }
        // Everything: all but the active segment go.
        try log.deleteSegments(before: Int64.max)
        #expect(log.segments.map(\.baseOffset) == [segments.last!.baseOffset])
        let remaining = fixture.appended.filter { $0.baseOffset >= segments.last!.baseOffset }
        try expectBytes(fixture.readAll(log), remaining.flatMap(\.stored))
        let end = log.logEndOffset
        try log.close()
        log = try fixture.open()
        #expect(log.logStartOffset == segments.last!.baseOffset)
        #expect(log.logEndOffset == end)
    }

    @Test func aClosedLogRefusesCalls() throws {
        let fixture = MemoryLogFixture()
        let log = try fixture.open()
        try fixture.appendMany(2, to: log)
        try log.close()
        try log.close()
        #expect { try log.read(from: 0, maxBytes: 10) } throws: { ($0 as? StorageError)?.code == .closed }
        #expect { try log.append(TestBatches.make()) } throws: { ($0 as? StorageError)?.code == .closed }
    }

    @Test func configurationsTheFormatCannotHoldAreRejected() {
        let fileSystem = InMemoryFileSystem()
        for configuration in [
            PartitionLogConfiguration(segmentBytes: Int(Int32.max) + 1),
            PartitionLogConfiguration(segmentBytes: 1000, maxBatchBytes: 60),
            PartitionLogConfiguration(indexIntervalBytes: -1),
        ] {
            #expect {
                try PartitionLog(
                    directory: "/d", fileSystem: fileSystem, configuration: configuration,
                    validator: TestBatches.validator, logger: .test)
            } throws: { ($0 as? StorageError)?.code == .invalidConfiguration }
        }
    }

    @Test func concurrentAppendsGetDistinctContiguousOffsets() async throws {
        let fixture = MemoryLogFixture()
        let log = try fixture.open()
        let ranges = try await withThrowingTaskGroup(of: [ClosedRange<Int64>].self) { group in
            for task in 0..<4 {
                group.addTask {
                    var ranges: [ClosedRange<Int64>] = []
                    for index in 0..<50 {
                        let result = try log.append(TestBatches.make(records: Int32(1 + index % 3), seed: UInt8(task)))
                        ranges.append(result.baseOffset...result.lastOffset)
                    }
                    return ranges
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        let sorted = ranges.sorted { $0.lowerBound < $1.lowerBound }
        #expect(sorted.first?.lowerBound == 0)
        for (previous, next) in zip(sorted, sorted.dropFirst()) {
            #expect(next.lowerBound == previous.upperBound + 1)
        }
        #expect(log.logEndOffset == sorted.last!.upperBound + 1)
    }
}
