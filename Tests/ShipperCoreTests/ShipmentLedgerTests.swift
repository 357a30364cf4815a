import KafkaClient
import LogTailing
import Testing

@testable import ShipperCore

/// The acknowledged prefix over checkpoint groups, and the sequences a checkpoint gets.
@Suite struct ShipmentLedgerTests {
    @Test func prefixAdvancesOnlyOverClosedGroupsWhoseBatchesAreAllDone() {
        var ledger = ShipmentLedger(startingAt: 100)
        let first = ledger.batchSealed()
        let second = ledger.batchSealed()
        #expect(ledger.closeGroup(at: 200) == false)
        let third = ledger.batchSealed()
        #expect(ledger.batchDone(group: third) == false, "an open group is never done")
        #expect(ledger.acknowledgedOffset == 100)
        #expect(ledger.batchDone(group: second) == false, "the group still has a batch out")
        #expect(ledger.batchDone(group: first) == true)
        #expect(ledger.acknowledgedOffset == 200)
        #expect(ledger.closeGroup(at: 300) == true, "its only batch was done already")
        #expect(ledger.acknowledgedOffset == 300)
        #expect(first == 0 && second == 0 && third == 1)
    }

    @Test func laterGroupsDoneFirstWaitForTheEarlierOne() {
        var ledger = ShipmentLedger(startingAt: 0)
        let early = ledger.batchSealed()
        ledger.closeGroup(at: 10)
        let late = ledger.batchSealed()
        ledger.closeGroup(at: 20)
        #expect(ledger.batchDone(group: late) == false)
        #expect(ledger.acknowledgedOffset == 0)
        #expect(ledger.batchDone(group: early) == true)
        #expect(ledger.acknowledgedOffset == 20, "both groups complete at once")
        #expect(ledger.isSettled)
    }

    @Test func emptyGroupsCloseOnlyWithABatch() {
        var ledger = ShipmentLedger(startingAt: 50)
        #expect(ledger.closeGroup(at: 50) == false)
        #expect(ledger.openGroup == 0)
        let group = ledger.batchSealed()
        ledger.closeGroup(at: 50)
        #expect(ledger.openGroup == 1, "a loss-only control record closes an empty range")
        #expect(ledger.batchDone(group: group) == true)
        #expect(ledger.acknowledgedOffset == 50)
    }

    static let old = ProducerIdentity(producerID: 7, epoch: 0)
    static let new = ProducerIdentity(producerID: 9, epoch: 0)

    /// The ledger's state for a checkpoint under `producer`, with `next` as the producer's next
    /// sequences.
    static func state(
        _ ledger: ShipmentLedger, _ partitions: [Int32], producer: ProducerIdentity = old,
        pending: [Int32: Int32] = [:], next: [Int32: Int32]
    ) -> (sequences: [Int32: Int32], storedAhead: [Int32: Int32]) {
        ledger.checkpointState(partitions: partitions, current: producer, pendingStoredAhead: pending) {
            next[$0] ?? 0
        }
    }

    /// The checkpoint's sequence of a partition is that of its first batch not yet in the
    /// prefix — even when that batch is acknowledged and only an earlier group holds back —
    /// and the producer's next sequence when the partition has none.
    @Test func sequencesBelongToTheAcknowledgedOffset() {
        var ledger = ShipmentLedger(startingAt: 0)
        let g0a = ledger.batchSealed()
        ledger.batchSequenced(id: 1, partition: 0, baseSequence: 10, recordCount: 5, producer: Self.old, group: g0a)
        ledger.closeGroup(at: 100)
        let g1a = ledger.batchSealed()
        ledger.batchSequenced(id: 2, partition: 1, baseSequence: 40, recordCount: 5, producer: Self.old, group: g1a)
        let g1b = ledger.batchSealed()
        ledger.batchSequenced(id: 3, partition: 0, baseSequence: 15, recordCount: 5, producer: Self.old, group: g1b)
        ledger.closeGroup(at: 200)
        ledger.batchDone(group: g1a)  // partition 1's batch of group 1: acknowledged, group 0 still out
        let next: [Int32: Int32] = [0: 20, 1: 45, 2: 7]
        #expect(Self.state(ledger, [0, 1, 2], next: next) == ([0: 10, 1: 40, 2: 7], [:]))
        ledger.batchDone(group: g0a)
        #expect(ledger.acknowledgedOffset == 100)
        #expect(Self.state(ledger, [0, 1, 2], next: next) == ([0: 15, 1: 40, 2: 7], [:]))
        ledger.batchDone(group: g1b)
        #expect(ledger.acknowledgedOffset == 200)
        #expect(Self.state(ledger, [0, 1, 2], next: next) == (next, [:]))
        #expect(ledger.partitionsInLedger.isEmpty)
    }

    /// Issue 13, hole 3. A new producer id renumbers only the unacknowledged batches; the
    /// acknowledged ones of the same group keep the old id's numbering. The checkpoint used to
    /// name the new id with the first batch's *old* sequence (here 40 for partition 1), so a
    /// restart re-sent the group under the new id from the wrong sequence and stored its first
    /// records twice. Now they are counted as stored ahead, and the sequence is the new id's.
    @Test func aNewProducerIdCountsTheOldIdsAcknowledgedRecordsAsStoredAhead() {
        var ledger = ShipmentLedger(startingAt: 0)
        let group = ledger.batchSealed()
        ledger.batchSequenced(id: 1, partition: 1, baseSequence: 40, recordCount: 5, producer: Self.old, group: group)
        _ = ledger.batchSealed()
        ledger.batchSequenced(id: 2, partition: 1, baseSequence: 45, recordCount: 3, producer: Self.old, group: group)
        _ = ledger.batchSealed()
        ledger.batchSequenced(id: 3, partition: 2, baseSequence: 8, recordCount: 2, producer: Self.old, group: group)
        ledger.batchDone(group: group)  // batch 1 acknowledged; 2 and 3 answered with a gap
        // The new id renumbers batches 2 and 3 from 0.
        ledger.batchResequenced(id: 2, partition: 1, baseSequence: 0, producer: Self.new)
        ledger.batchResequenced(id: 3, partition: 2, baseSequence: 0, producer: Self.new)
        let next: [Int32: Int32] = [1: 3, 2: 2]
        #expect(Self.state(ledger, [1, 2], producer: Self.new, next: next) == ([1: 0, 2: 0], [1: 5]))
        // Records a restart skipped count until their group is done, and so do those still to skip.
        var restarted = ShipmentLedger(startingAt: 0)
        _ = restarted.batchSealed()
        restarted.recordsStoredBefore(partition: 1, count: 4)
        #expect(
            Self.state(restarted, [1, 3], producer: Self.new, pending: [1: 1, 3: 6], next: [1: 0])
                == ([:], [1: 5, 3: 6]))
    }

    /// A checkpoint cut (idle file, stop) lets the prefix reach every acknowledged line and
    /// carries the audit group open there; an audit cut carries none.
    @Test func checkpointCutsCarryTheOpenAuditGroup() {
        let carried = Checkpoint.AuditGroup(start: 0, lines: 12, lastTimeUs: 99)
        var ledger = ShipmentLedger(startingAt: 0)
        let first = ledger.batchSealed()
        ledger.closeGroup(at: 300, auditGroup: carried)
        #expect(ledger.acknowledgedAuditGroup == nil)
        ledger.batchDone(group: first)
        #expect(ledger.acknowledgedOffset == 300)
        #expect(ledger.acknowledgedAuditGroup == carried)
        let second = ledger.batchSealed()
        ledger.closeGroup(at: 400)
        ledger.batchDone(group: second)
        #expect(ledger.acknowledgedOffset == 400)
        #expect(ledger.acknowledgedAuditGroup == nil)
        let resumed = ShipmentLedger(startingAt: 300, auditGroup: carried)
        #expect(resumed.acknowledgedAuditGroup == carried, "kept until the prefix moves")
    }

    @Test func linesCountPerOpenGroup() {
        var ledger = ShipmentLedger(startingAt: 0)
        ledger.linesRead(1)
        ledger.linesRead(1)
        #expect(ledger.openGroupLines == 2)
        _ = ledger.batchSealed()
        ledger.closeGroup(at: 30)
        #expect(ledger.openGroupLines == 0)
        #expect(ledger.openGroupStart == 30)
        #expect(!ledger.isSettled)
    }
}
