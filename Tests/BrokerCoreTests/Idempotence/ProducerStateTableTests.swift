import Testing

@testable import BrokerCore

/// The sequence rules, each against a hand-computed expectation (RECORD_BATCH.md §4 and the
/// issue's contract: duplicate → original offset, overlap → only the new records, gap → 45).
struct ProducerStateTableTests {
    /// A table holding producer 7, epoch 0, with batches of 10 records: sequences 0…9 at
    /// offsets 100…109, 10…19 at 200…209.
    func twoBatches() -> ProducerStateTable {
        var table = ProducerStateTable()
        table.record(producerID: 7, epoch: 0, firstSequence: 0, recordCount: 10, baseOffset: 100, at: 1)
        table.record(producerID: 7, epoch: 0, firstSequence: 10, recordCount: 10, baseOffset: 200, at: 2)
        return table
    }

    @Test func theNextSequenceIsAppended() {
        #expect(twoBatches().check(producerID: 7, epoch: 0, baseSequence: 20, recordCount: 5) == .append)
    }

    @Test func aResentBatchIsADuplicateWithItsOriginalOffset() {
        let table = twoBatches()
        #expect(
            table.check(producerID: 7, epoch: 0, baseSequence: 10, recordCount: 10)
                == .duplicate(originalBaseOffset: 200))
        #expect(
            table.check(producerID: 7, epoch: 0, baseSequence: 0, recordCount: 10)
                == .duplicate(originalBaseOffset: 100))
        // A sub-range of a stored batch: its first record's offset.
        #expect(
            table.check(producerID: 7, epoch: 0, baseSequence: 13, recordCount: 4)
                == .duplicate(originalBaseOffset: 203))
    }

    @Test func aBatchOverlappingTheTailKeepsOnlyItsNewRecords() {
        // Sequences 15…24: 15…19 are stored (5 known), 20…24 are new.
        #expect(
            twoBatches().check(producerID: 7, epoch: 0, baseSequence: 15, recordCount: 10)
                == .overlap(knownRecords: 5, originalBaseOffset: 205)
        )
    }

    @Test func aGapIsOutOfOrder() {
        #expect(
            twoBatches().check(producerID: 7, epoch: 0, baseSequence: 21, recordCount: 1) == .outOfOrder(expected: 20))
    }

    @Test func unknownProducersStartAtZero() {
        let table = twoBatches()
        #expect(table.check(producerID: 8, epoch: 0, baseSequence: 0, recordCount: 3) == .append)
        // Issue 13 hole 1: was OUT_OF_ORDER (a false loss for the shipper); now UNKNOWN_PRODUCER_ID.
        #expect(table.check(producerID: 8, epoch: 0, baseSequence: 5, recordCount: 3) == .unknownProducer)
    }

    @Test func epochsFenceOlderOnesAndANewEpochRestartsAtZero() {
        var table = twoBatches()
        table.record(producerID: 7, epoch: 1, firstSequence: 0, recordCount: 4, baseOffset: 300, at: 3)
        #expect(table.check(producerID: 7, epoch: 0, baseSequence: 20, recordCount: 1) == .staleEpoch(current: 1))
        #expect(table.check(producerID: 7, epoch: 1, baseSequence: 4, recordCount: 1) == .append)
        #expect(table.check(producerID: 7, epoch: 2, baseSequence: 0, recordCount: 1) == .append)
        #expect(table.check(producerID: 7, epoch: 2, baseSequence: 4, recordCount: 1) == .outOfOrder(expected: 0))
        // The new epoch replaced what was known of the old one.
        #expect(table.entries[7]?.batches == [.init(firstSequence: 0, recordCount: 4, baseOffset: 300)])
    }

    @Test func sequencesWrapFromInt32MaxToZero() {
        var table = ProducerStateTable()
        let start = Int32.max - 4  // records max-4 … max, then 0 … 4
        table.record(producerID: 1, epoch: 0, firstSequence: start, recordCount: 10, baseOffset: 50, at: 1)
        #expect(table.entries[1]?.lastSequence == 4)
        #expect(table.check(producerID: 1, epoch: 0, baseSequence: 5, recordCount: 2) == .append)
        #expect(
            table.check(producerID: 1, epoch: 0, baseSequence: start, recordCount: 10)
                == .duplicate(originalBaseOffset: 50))
        // Sequence 2 is the 8th record (offset 57); 2…6 overlaps by 3 (2, 3, 4).
        #expect(
            table.check(producerID: 1, epoch: 0, baseSequence: 2, recordCount: 5)
                == .overlap(knownRecords: 3, originalBaseOffset: 57))
        #expect(table.check(producerID: 1, epoch: 0, baseSequence: 6, recordCount: 1) == .outOfOrder(expected: 5))
    }

    @Test func onlyTheLastFiveBatchesKeepTheirOffsets() {
        var table = ProducerStateTable()
        for index in 0..<7 {
            table.record(
                producerID: 3, epoch: 0, firstSequence: Int32(index * 2), recordCount: 2,
                baseOffset: Int64(1000 + index * 10), at: 1)
        }
        #expect(table.entries[3]?.batches.count == ProducerStateTable.retainedBatches)
        // Batch 0 (sequences 0…1) fell out: still a duplicate, its offset no longer known.
        #expect(
            table.check(producerID: 3, epoch: 0, baseSequence: 0, recordCount: 2) == .duplicate(originalBaseOffset: nil)
        )
        #expect(
            table.check(producerID: 3, epoch: 0, baseSequence: 4, recordCount: 2)
                == .duplicate(originalBaseOffset: 1020))
    }

    @Test func idleProducersAreForgottenOnlyOnceTheirBatchesLeftTheLog() {
        var table = ProducerStateTable()
        table.record(producerID: 1, epoch: 0, firstSequence: 0, recordCount: 1, baseOffset: 0, at: 100)
        table.record(producerID: 2, epoch: 0, firstSequence: 0, recordCount: 1, baseOffset: 1, at: 500)
        table.record(producerID: 3, epoch: 0, firstSequence: 0, recordCount: 5, baseOffset: 2, at: 100)
        // Issue 13 hole 1: idle time alone forgot producers 1 and 3 while their batches were
        // still in the log, so a resend after a quiet weekend was stored a second time.
        #expect(table.removeProducers(idleBefore: 200, logStartOffset: 0) == 0)
        // Producer 1's only batch (offset 0) is gone; producer 3's ends at offset 6.
        #expect(table.removeProducers(idleBefore: 200, logStartOffset: 6) == 1)
        #expect(Set(table.entries.keys) == [2, 3])
        #expect(table.removeProducers(idleBefore: 200, logStartOffset: 7) == 1)
        #expect(Set(table.entries.keys) == [2])
    }
}
