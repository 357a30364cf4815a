import FileStorage
import BrokerCore
import KafkaProtocol
import NIOCore
import SegmentStore
import Testing

/// The idempotent producer contract through the dispatcher, as a scripted client sees it: a
/// resent batch is acknowledged without being stored twice, an overlapping one stores only its
/// new half, a gap is refused — also after the broker restarts from a snapshot plus the log.
/// Expected record lists are written out from what the script sent.
struct PartitionProducersTests {
    static func values(_ prefix: String, _ range: Range<Int>) -> [String] { range.map { "\(prefix)\($0)" } }

    @Test(arguments: [RecordCompression.none, .lz4])
    func identicalAndOverlappingResendsAreStoredOnce(compression: RecordCompression) throws {
        let broker = try TestNode()
        let producer = try broker.roundTrip(
            InitProducerIdRequest(transactionalID: nil, transactionTimeoutMs: 1000), version: 1)
        let id = producer.producerID
        let first = Self.values("a", 0..<10)
        let second = Self.values("b", 0..<10)
        let batchA = try TestRequests.batch(first, producerID: id, baseSequence: 0, compression: compression)
        let batchB = try TestRequests.batch(second, producerID: id, baseSequence: 10, compression: compression)
        #expect(try broker.produce(batchA).baseOffset == 0)
        #expect(try broker.produce(batchB).baseOffset == 10)

        // (a) The identical batch again: acknowledged with its original offset, not stored.
        let again = try broker.produce(batchA)
        #expect(again.errorCode == .none)
        #expect(again.baseOffset == 0)

        // (b) Sequences 15…24: the last half of B again, then five new records.
        let overlapping = Array(second[5...]) + Self.values("c", 0..<5)
        let answer = try broker.produce(
            try TestRequests.batch(overlapping, producerID: id, baseSequence: 15, compression: compression)
        )
        #expect(answer.errorCode == .none)
        #expect(answer.baseOffset == 15)  // where sequence 15 was stored the first time

        #expect(try broker.values() == first + second + Self.values("c", 0..<5))
        #expect(broker.counter("edgelog_broker_duplicate_batches_total") == 1)
        #expect(broker.counter("edgelog_broker_trimmed_batches_total") == 1)
        #expect(broker.counter("edgelog_broker_duplicate_records_dropped_total") == 10 + 5)
        #expect(broker.counter("edgelog_broker_produce_records_total") == 25)

        // The stored trimmed batch starts at sequence 20 (RECORD_BATCH.md §2 baseSequence).
        let log = try #require(broker.node.catalog.partition("t", 0)?.log)
        var headers: [RecordBatchHeader] = []
        try log.forEachBatchHeader(from: 0) { headers.append($0) }
        #expect(headers.map(\.baseSequence) == [0, 10, 20])
        #expect(headers.map(\.recordsCount) == [10, 10, 5])
        #expect(headers.allSatisfy { $0.attributes & 0x07 == compression.rawValue })

        // A gap, a stale epoch, and an unknown producer that does not start at 0.
        let gap = try broker.produce(try TestRequests.batch(["x"], producerID: id, baseSequence: 26))
        #expect(gap.errorCode == .outOfOrderSequenceNumber)
        let stranger = try broker.produce(try TestRequests.batch(["x"], producerID: id + 1, baseSequence: 3))
        #expect(stranger.errorCode == .unknownProducerId)
        #expect(try broker.values().count == 25)
    }

    @Test func aNewEpochRestartsAtZeroAndFencesTheOldOne() throws {
        let broker = try TestNode()
        #expect(
            try broker.produce(try TestRequests.batch(["e0"], producerID: 9, epoch: 0, baseSequence: 0)).errorCode
                == .none)
        #expect(
            try broker.produce(try TestRequests.batch(["e1"], producerID: 9, epoch: 1, baseSequence: 0)).errorCode
                == .none)
        let stale = try broker.produce(try TestRequests.batch(["old"], producerID: 9, epoch: 0, baseSequence: 1))
        #expect(stale.errorCode.rawValue == 47)  // INVALID_PRODUCER_EPOCH
        #expect(try broker.values() == ["e0", "e1"])
    }

    @Test func aDuplicateOlderThanTheRetainedBatchesIsStillNotStored() throws {
        let broker = try TestNode()
        for index in 0..<7 {
            let batch = try TestRequests.batch(["v\(index)"], producerID: 3, baseSequence: Int32(index))
            #expect(try broker.produce(batch).baseOffset == Int64(index))
        }
        let old = try broker.produce(try TestRequests.batch(["v0"], producerID: 3, baseSequence: 0))
        #expect(old.errorCode == .duplicateSequenceNumber)
        let recent = try broker.produce(try TestRequests.batch(["v5"], producerID: 3, baseSequence: 5))
        #expect(recent.errorCode == .none)
        #expect(recent.baseOffset == 5)
        #expect(try broker.values() == (0..<7).map { "v\($0)" })
    }

    @Test func anOverlapInACodecWeCannotWriteIsRefusedNotStoredTwice() throws {
        let broker = try TestNode()
        #expect(
            try broker.produce(try TestRequests.batch(["a", "b"], producerID: 4, baseSequence: 0)).errorCode == .none)
        var gzip = try TestRequests.batch(["b", "c"], producerID: 4, baseSequence: 1)
        gzip.setInteger(Int16(1), at: gzip.readerIndex + 21)
        let crc = gzip.withUnsafeReadableBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[21...])) }
        gzip.setInteger(crc, at: gzip.readerIndex + 17)
        #expect(try broker.produce(gzip).errorCode == .unsupportedCompressionType)
        #expect(try broker.values() == ["a", "b"])
    }

    /// Producer state rebuilt after a restart that follows a segment roll: from the snapshot the
    /// roll wrote plus the batches after it. `powerLoss` also drops every unsynced byte
    /// (everything acknowledged was synced with fsync=ack); without it the restart is a kill -9.
    @Test(arguments: [false, true])
    func resendsAfterARestartBehindARollAreRecognised(powerLoss: Bool) throws {
        let fileSystem = InMemoryFileSystem()
        let id: Int64 = 11
        var sent: [String] = []
        var batches: [ByteBuffer] = []
        do {
            let broker = try TestNode(fileSystem: fileSystem) { $0.segmentBytes = 1024 }
            // 12 batches of 4 records (~150 bytes each): rolls every ~6 batches.
            for index in 0..<12 {
                let values = Self.values("r\(index)-", 0..<4)
                let batch = try TestRequests.batch(values, producerID: id, baseSequence: Int32(index * 4))
                let answer = try broker.produce(batch)
                #expect(answer.errorCode == .none)
                #expect(answer.baseOffset == Int64(index * 4))
                sent += values
                batches.append(batch)
            }
            let log = try #require(broker.node.catalog.partition("t", 0)?.log)
            #expect(log.segments.count >= 2)
            let snapshots = try fileSystem.contentsOfDirectory(atPath: log.directory).filter {
                $0.hasSuffix(".snapshot")
            }
            #expect(!snapshots.isEmpty, "a roll writes a snapshot")
            // No clean shutdown: the node is dropped without close().
        }
        if powerLoss { fileSystem.crash() }
        let broker = try TestNode(fileSystem: fileSystem) { $0.segmentBytes = 1024 }
        #expect(try broker.values() == sent)

        // The last batch (after the roll) and one from before the roll, sent again.
        let last = try broker.produce(batches[11])
        #expect(last.errorCode == .none)
        #expect(last.baseOffset == 44)
        let beforeRoll = try broker.produce(batches[8])
        #expect(beforeRoll.errorCode == .none)
        #expect(beforeRoll.baseOffset == 32)
        // Overlapping the tail by half: sequences 46…49, of which 48 and 49 are new.
        let overlap = try broker.produce(
            try TestRequests.batch(["r11-2", "r11-3", "new-0", "new-1"], producerID: id, baseSequence: 46)
        )
        #expect(overlap.errorCode == .none)
        #expect(overlap.baseOffset == 46)
        #expect(try broker.values() == sent + ["new-0", "new-1"])
        #expect(broker.counter("edgelog_broker_duplicate_batches_total") == 2)
        #expect(broker.counter("edgelog_broker_trimmed_batches_total") == 1)
    }

    /// With the segments before the roll gone, what happened before it is known only from the
    /// snapshot the roll wrote.
    @Test func theRollSnapshotAloneRemembersBatchesInDeletedSegments() throws {
        let fileSystem = InMemoryFileSystem()
        var batches: [ByteBuffer] = []
        do {
            let broker = try TestNode(fileSystem: fileSystem) { $0.segmentBytes = 1024 }
            for index in 0..<12 {
                let batch = try TestRequests.batch(
                    Self.values("s\(index)-", 0..<4), producerID: 5, baseSequence: Int32(index * 4))
                #expect(try broker.produce(batch).errorCode == .none)
                batches.append(batch)
            }
        }
        let broker = try TestNode(fileSystem: fileSystem) { $0.segmentBytes = 1024 }
        let log = try #require(broker.node.catalog.partition("t", 0)?.log)
        let activeBase = log.activeSegmentBaseOffset
        try #require(activeBase > 0 && activeBase % 4 == 0)
        #expect(try !log.deleteSegments(before: activeBase).isEmpty)
        #expect(log.logStartOffset == activeBase)
        let lastBeforeRoll = Int(activeBase / 4) - 1
        let answer = try broker.produce(batches[lastBeforeRoll])
        #expect(answer.errorCode == .none)
        #expect(answer.baseOffset == Int64(lastBeforeRoll * 4))
        #expect(try broker.values(from: activeBase).count == (12 - lastBeforeRoll - 1) * 4)
        // And the next sequence continues the producer.
        let next = try broker.produce(try TestRequests.batch(["tail"], producerID: 5, baseSequence: 48))
        #expect(next.baseOffset == 48)
    }

    @Test func aCleanShutdownSnapshotsAtTheLogEnd() throws {
        let fileSystem = InMemoryFileSystem()
        let broker = try TestNode(fileSystem: fileSystem)
        _ = try broker.produce(try TestRequests.batch(["a", "b", "c"], producerID: 1, baseSequence: 0))
        broker.node.close()
        let names = try fileSystem.contentsOfDirectory(atPath: "\(TestNode.dataDirectory)/t-0")
        #expect(names.contains("00000000000000000003.snapshot"))
        let restarted = try TestNode(fileSystem: fileSystem)
        let partition = try #require(restarted.node.catalog.partition("t", 0))
        let table = try partition.producerState()
        #expect(table.entries[1]?.lastSequence == 2)
        #expect(table.entries[1]?.batches.first?.baseOffset == 0)
    }
}
