import FileStorage
import Glibc
import Testing

@testable import SegmentStore

/// When a partition log stores its recovery point, and the invariant that makes recovery after a
/// power loss correct: the stored recovery point never exceeds what a power loss keeps.
@Suite struct PartitionLogRecoveryPointTests {
    /// The recovery point a power loss now would leave on disk.
    private func storedOnDisk(_ fixture: MemoryLogFixture) -> Int64? {
        fixture.fileSystem.durableContents(atPath: fixture.directory + "/" + RecoveryPointFile.fileName)
            .flatMap(RecoveryPointFile.decode)
    }

    /// The end of what a power loss now would leave of the log: the longest run of whole,
    /// checksum-valid, contiguous batches in the durable bytes of the segments, read with the
    /// test's own batch parser (ground truth, not the log's code).
    private func durableLogEnd(_ fixture: MemoryLogFixture) throws -> Int64 {
        let bases = try fixture.fileSystem.contentsOfDirectory(atPath: fixture.directory)
            .compactMap(SegmentFileName.init).filter { $0.kind == .log }.map(\.baseOffset).sorted()
        var end = bases.first ?? 0
        for base in bases {
            guard base == end else { return end }
            let bytes = fixture.fileSystem.durableContents(atPath: fixture.logPath(base: base)) ?? []
            for batch in TestBatches.split(bytes) {
                let length = batch.count >= 12 ? batch[8..<12].reduce(0) { $0 << 8 | Int($1) } : -1
                guard batch.count >= 61, batch.count == 12 + length,
                    batch.withUnsafeBytes({ TestBatches.validator.isValid($0) }),
                    TestBatches.baseOffset(of: batch[...]) == end
                else { return end }
                end += batch[23..<27].reduce(Int64(0)) { $0 << 8 | Int64($1) } + 1
            }
        }
        return end
    }

    @Test func theRecoveryPointMovesToTheDurableEndOnlyWhenWritten() throws {
        let fixture = MemoryLogFixture()
        let log = try fixture.open()
        #expect(log.recoveryPoint == nil)
        try fixture.appendMany(5, to: log)
        #expect(try log.writeRecoveryPoint() == 0)  // nothing durable yet beyond offset 0
        let durable = try log.sync()
        try fixture.appendMany(3, to: log, seed: 5)  // appended, not synced: not covered
        #expect(try log.writeRecoveryPoint() == durable)
        #expect(storedOnDisk(fixture) == durable)
        let syncs = fixture.fileSystem.syncCount
        #expect(try log.writeRecoveryPoint() == durable)  // unchanged: nothing written
        #expect(fixture.fileSystem.syncCount == syncs)

        try log.close()  // a clean stop stores the log end
        #expect(storedOnDisk(fixture) == fixture.appended.last!.lastOffset + 1)
        #expect(try log.writeRecoveryPoint() == fixture.appended.last!.lastOffset + 1)
    }

    @Test func aFailedSyncHoldsTheRecoveryPointAndAResetStoresTheNewEnd() throws {
        let fixture = MemoryLogFixture()
        let log = try fixture.open()
        try fixture.appendMany(5, to: log)
        let durable = try log.sync()
        #expect(try log.writeRecoveryPoint() == durable)
        try fixture.appendMany(3, to: log, seed: 5)
        fixture.fileSystem.failNext(.sync, with: EIO, pathSuffix: ".log")
        #expect(throws: StorageError.self) { try log.sync() }
        #expect(try log.writeRecoveryPoint() == durable)
        #expect(try log.reset())
        #expect(log.logEndOffset == durable)
        fixture.appended.removeAll { $0.lastOffset >= durable }
        try fixture.appendMany(2, to: log, seed: 9)
        try log.sync()
        #expect(try log.writeRecoveryPoint() == log.logEndOffset)
        #expect(storedOnDisk(fixture) == log.logEndOffset)
    }

    /// A random run of appends, syncs, rolls, recovery point writes, kills (the page cache
    /// survives) and power losses; after every step the recovery point a power loss would leave
    /// is at most the end of the log it would leave, and a power loss keeps every batch below it.
    @Test(arguments: [UInt64(1), 2, 3, 4])
    func theStoredRecoveryPointNeverExceedsWhatAPowerLossKeeps(seed: UInt64) throws {
        let fixture = MemoryLogFixture(
            configuration: PartitionLogConfiguration(segmentBytes: 2000, indexIntervalBytes: 200))
        var log = try fixture.open()
        var random = seed
        for step in 0..<150 {
            // Knuth's MMIX linear congruential generator: replayable from the seed.
            random = random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            switch (random >> 33) % 8 {
            case 0, 1, 2:
                try fixture.appendMany(Int((random >> 40) % 3) + 1, to: log, seed: step)
            case 3:
                try log.sync()
            case 4:
                try log.writeRecoveryPoint()
            case 5:
                try log.roll()
            case 6:
                log = try fixture.open()  // kill -9: nothing is lost
                try expectBytes(fixture.readAll(log), fixture.expectedBytes, "step \(step)")
            default:
                let recoveryPoint = storedOnDisk(fixture) ?? 0
                fixture.fileSystem.crash()
                log = try fixture.open()
                #expect(log.logEndOffset >= recoveryPoint, "step \(step)")
                fixture.appended.removeAll { $0.lastOffset >= log.logEndOffset }
                try expectBytes(fixture.readAll(log), fixture.expectedBytes, "step \(step)")
            }
            let stored = storedOnDisk(fixture) ?? 0
            #expect(try stored <= durableLogEnd(fixture), "step \(step)")
            #expect(stored <= log.durableEndOffset, "step \(step)")
            #expect((log.recoveryPoint ?? 0) <= log.durableEndOffset, "step \(step)")
        }
    }
}
