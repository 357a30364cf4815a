import FileStorage
import KafkaProtocol
import Testing

@testable import SegmentStore

/// Start-up recovery after a power loss (issue 13, hole 7), on the fake disk that keeps only what
/// was synced plus what the kernel wrote back on its own (`InMemoryFileSystem.writeBack`).
///
/// Recovery must check every batch after the persisted recovery point, in every segment after
/// it: not only the last segment from its last offset index entry (that index is never synced
/// while the segment is active, so whatever of it reached the disk proves nothing), and not
/// trusting segments because the log synced them when it rolled (a disk may have acknowledged
/// that flush without performing it).
@Suite struct LogRecoveryPowerLossTests {
    /// Where each batch sits: its segment's base offset and its byte range in that `.log`,
    /// from the test's own record of what it appended and the segment bases.
    private func placements(of batches: [AppendedBatch], segmentBases: [Int64]) -> [(base: Int64, range: Range<Int>)] {
        var result: [(base: Int64, range: Range<Int>)] = []
        var position = 0
        var currentBase = Int64.min
        for batch in batches {
            let base = segmentBases.last { $0 <= batch.baseOffset } ?? 0
            if base != currentBase {
                currentBase = base
                position = 0
            }
            result.append((base, position..<(position + batch.stored.count)))
            position += batch.stored.count
        }
        return result
    }

    /// The kernel writes back every byte of `batches` except the body of the one at
    /// `headerOnly`: its 61-byte header reaches the disk, the rest reads as zeros after the crash.
    private func writeBack(
        _ batches: [AppendedBatch],
        headerOnly: Int,
        segmentBases: [Int64],
        _ fixture: MemoryLogFixture
    ) {
        for (index, placed) in placements(of: batches, segmentBases: segmentBases).enumerated() {
            let range = index == headerOnly ? placed.range.prefix(RecordBatchHeader.byteCount) : placed.range
            fixture.fileSystem.writeBack(atPath: fixture.logPath(base: placed.base), range: range)
        }
    }

    private func durableOffsetIndex(_ fixture: MemoryLogFixture, base: Int64) throws -> OffsetIndex {
        let path = fixture.indexPath(base: base, .offsetIndex)
        let bytes = try #require(fixture.fileSystem.durableContents(atPath: path))
        return try #require(OffsetIndex(baseOffset: base, fileBytes: bytes))
    }

    /// Fails on the code before the recovery point (63f4dcc): the index entries the kernel had
    /// written back made recovery check checksums only from the last of them, so the batch before
    /// it whose body never reached the disk was kept (and served to consumers).
    @Test func aBatchWhoseBodyNeverReachedTheDiskIsCutThoughAnIndexEntryFollowsIt() throws {
        let fixture = MemoryLogFixture()
        var log = try fixture.open()
        try fixture.appendMany(10, to: log)
        try log.close()  // a clean stop: all of it synced
        log = try fixture.open()
        let synced = fixture.appended
        try fixture.appendMany(20, to: log, seed: 10)  // never synced
        let damaged = synced.count + 2

        writeBack(fixture.appended, headerOnly: damaged, segmentBases: [0], fixture)
        for kind in [SegmentFileName.Kind.offsetIndex, .timeIndex] {
            fixture.fileSystem.writeBack(atPath: fixture.indexPath(base: 0, kind), range: 0..<Int.max)
        }
        let damagedStart = fixture.appended.prefix(damaged).flatMap(\.stored).count
        #expect(try durableOffsetIndex(fixture, base: 0).entries.contains { Int($0.position) > damagedStart })
        fixture.fileSystem.crash()

        log = try fixture.open()
        let kept = Array(fixture.appended.prefix(damaged))
        try #require(log.logEndOffset == fixture.appended[damaged].baseOffset)
        #expect(log.recoveryReport.truncatedBytes == Int64(fixture.expectedBytes.count - damagedStart))
        try expectBytes(fixture.readAll(log), kept.flatMap(\.stored))
        let reference = try fixture.referenceFiles(batches: kept)
        for kind in [SegmentFileName.Kind.offsetIndex, .timeIndex] {
            let path = fixture.indexPath(base: 0, kind)
            expectBytes(fixture.fileSystem.durableContents(atPath: path), reference.contents(atPath: path), "\(kind)")
        }

        // Appends continue right after the last good batch.
        fixture.appended = kept
        try fixture.appendMany(3, to: log, seed: 50)
        try expectBytes(fixture.readAll(log), fixture.expectedBytes)
    }

    /// Fails on the code before the recovery point (63f4dcc): segments the log had rolled past
    /// were trusted because the roll synced them, and only their headers after their last index
    /// entry were walked, so the damaged batch in the middle of an older segment was kept.
    @Test func aBatchLostInAnOlderSegmentAfterTheRecoveryPointIsCutWithEverySegmentAfterIt() throws {
        let fixture = MemoryLogFixture(
            configuration: PartitionLogConfiguration(segmentBytes: 3000, indexIntervalBytes: 250))
        var log = try fixture.open()
        try fixture.appendMany(5, to: log)
        try log.close()  // recovery point: the end of these five batches
        log = try fixture.open()
        // From here the disk acknowledges every flush of a `.log` without performing it (a
        // volatile write cache): the syncs made when the log rolls prove nothing.
        fixture.fileSystem.loseNextSyncs(1000, pathSuffix: ".log")
        try fixture.appendMany(60, to: log, seed: 5)
        let bases = log.segments.map(\.baseOffset)
        try #require(bases.count >= 4)

        // Everything reaches the disk except the body of the second batch of the second segment,
        // which lies before that segment's last (synced) index entry.
        let damaged = try #require(fixture.appended.firstIndex { $0.baseOffset > bases[1] })
        writeBack(fixture.appended, headerOnly: damaged, segmentBases: bases, fixture)
        for base in bases {
            for kind in [SegmentFileName.Kind.offsetIndex, .timeIndex] {
                fixture.fileSystem.writeBack(atPath: fixture.indexPath(base: base, kind), range: 0..<Int.max)
            }
        }
        let damagedPosition = placements(of: fixture.appended, segmentBases: bases)[damaged].range.lowerBound
        #expect(try durableOffsetIndex(fixture, base: bases[1]).entries.contains { Int($0.position) > damagedPosition })
        fixture.fileSystem.clearFaults()
        fixture.fileSystem.crash()

        log = try fixture.open()
        let kept = Array(fixture.appended.prefix(damaged))
        try #require(log.logEndOffset == fixture.appended[damaged].baseOffset)
        #expect(log.segments.map(\.baseOffset) == Array(bases.prefix(2)))
        for base in bases.dropFirst(2) {
            for kind in SegmentFileName.Kind.allCases {
                #expect(!fixture.fileSystem.fileExists(atPath: fixture.indexPath(base: base, kind)))
            }
        }
        #expect(
            log.recoveryReport.truncatedBytes == Int64(fixture.expectedBytes.count - kept.flatMap(\.stored).count))
        try expectBytes(fixture.readAll(log), kept.flatMap(\.stored))
        let reference = try fixture.referenceFiles(batches: kept)
        for kind in SegmentFileName.Kind.allCases {
            let path = fixture.indexPath(base: bases[1], kind)
            expectBytes(fixture.fileSystem.durableContents(atPath: path), reference.contents(atPath: path), "\(kind)")
        }

        fixture.appended = kept
        try fixture.appendMany(3, to: log, seed: 70)
        try expectBytes(fixture.readAll(log), fixture.expectedBytes)
    }

    @Test func everyBatchFromTheRecoveryPointOnIsValidatedAcrossSegmentsAndEveryEarlierOneKept() throws {
        let fixture = MemoryLogFixture(
            configuration: PartitionLogConfiguration(segmentBytes: 3000, indexIntervalBytes: 250))
        var log = try fixture.open()
        try fixture.appendMany(20, to: log)
        try log.sync()
        let recoveryPoint = try #require(try log.writeRecoveryPoint())
        #expect(recoveryPoint == log.logEndOffset)
        try fixture.appendMany(40, to: log, seed: 20)  // rolls, each syncing the segment it leaves
        let durable = fixture.appended.filter { $0.lastOffset < log.durableEndOffset }
        try #require(log.segments.filter { $0.baseOffset > recoveryPoint }.count >= 2)
        fixture.fileSystem.crash()  // the appends to the active segment since the last roll are gone

        log = try fixture.open()
        #expect(log.recoveryReport.recoveryPoint == recoveryPoint)
        #expect(log.recoveryReport.validatedFromOffset == recoveryPoint)
        #expect(log.recoveryReport.validatedBatches == durable.filter { $0.lastOffset >= recoveryPoint }.count)
        #expect(log.recoveryReport.truncatedBytes == 0)
        #expect(log.logEndOffset == durable.last!.lastOffset + 1)
        try expectBytes(fixture.readAll(log), durable.flatMap(\.stored))
        // The new end is stored at once: the next recovery starts there.
        #expect(log.recoveryPoint == log.logEndOffset)
        expectBytes(
            fixture.fileSystem.durableContents(atPath: fixture.directory + "/" + RecoveryPointFile.fileName),
            RecoveryPointFile.encode(log.logEndOffset))
    }

    @Test func withoutARecoveryPointTheWholeLastSegmentIsValidated() throws {
        // A data directory written before recovery points existed: every segment but the last
        // was synced when the log rolled past it, so the last one's base is a recovery point.
        let fixture = MemoryLogFixture(
            configuration: PartitionLogConfiguration(segmentBytes: 3000, indexIntervalBytes: 250))
        var log = try fixture.open()
        try fixture.appendMany(40, to: log)
        let lastBase = try #require(log.segments.last?.baseOffset)
        try #require(lastBase > 0)
        try log.close()
        try fixture.fileSystem.removeFile(atPath: fixture.directory + "/" + RecoveryPointFile.fileName)

        log = try fixture.open()
        #expect(log.recoveryReport.recoveryPoint == nil)
        #expect(log.recoveryReport.validatedFromOffset == lastBase)
        #expect(log.recoveryReport.validatedBatches == fixture.appended.filter { $0.baseOffset >= lastBase }.count)
        try expectBytes(fixture.readAll(log), fixture.expectedBytes)
        #expect(log.recoveryPoint == log.logEndOffset)
    }

    @Test func aRecoveryPointAboveTheLogFoundIsNotTrustedAndIsLowered() throws {
        let fixture = MemoryLogFixture()
        var log = try fixture.open()
        try fixture.appendMany(4, to: log)
        try log.sync()
        // The disk acknowledges the next flush without performing it, so the recovery point
        // written after it names batches that are not on disk.
        fixture.fileSystem.loseNextSyncs(10, pathSuffix: ".log")
        try fixture.appendMany(10, to: log, seed: 4)
        try log.sync()
        let claimed = try #require(try log.writeRecoveryPoint())
        #expect(claimed == fixture.appended.last!.lastOffset + 1)
        // Of the lost batches the kernel had written back the next three, the middle one's
        // header only: below the recovery point, so only a full check finds it.
        writeBack(Array(fixture.appended.prefix(7)), headerOnly: 5, segmentBases: [0], fixture)
        fixture.fileSystem.clearFaults()
        fixture.fileSystem.crash()

        log = try fixture.open()
        let kept = Array(fixture.appended.prefix(5))
        #expect(log.recoveryReport.recoveryPoint == claimed)
        #expect(log.recoveryReport.recoveryPointProblem != nil)
        try #require(log.logEndOffset == kept.last!.lastOffset + 1)
        try expectBytes(fixture.readAll(log), kept.flatMap(\.stored))
        // Lowered before anything is appended above the new end.
        #expect(log.recoveryPoint == log.logEndOffset)
        let stored = fixture.fileSystem.durableContents(atPath: fixture.directory + "/" + RecoveryPointFile.fileName)
        #expect(stored.flatMap(RecoveryPointFile.decode) == log.logEndOffset)
    }
}
