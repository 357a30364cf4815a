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

    /// The checkpoint's sequence of a partition is that of its first batch not yet in the
    /// prefix — even when that batch is acknowledged and only an earlier group holds back —
    /// and the producer's next sequence when the partition has none.
    @Test func sequencesBelongToTheAcknowledgedOffset() {
        var ledger = ShipmentLedger(startingAt: 0)
        let g0a = ledger.batchSealed()
        ledger.batchSequenced(id: 1, partition: 0, baseSequence: 10, group: g0a)
        ledger.closeGroup(at: 100)
        let g1a = ledger.batchSealed()
        ledger.batchSequenced(id: 2, partition: 1, baseSequence: 40, group: g1a)
        let g1b = ledger.batchSealed()
        ledger.batchSequenced(id: 3, partition: 0, baseSequence: 15, group: g1b)
        ledger.closeGroup(at: 200)
        ledger.batchDone(group: g1a)  // partition 1's batch of group 1: acknowledged, group 0 still out
        let next: [Int32: Int32] = [0: 20, 1: 45, 2: 7]
        #expect(
            ledger.sequencesAtAcknowledgedOffset(partitions: [0, 1, 2]) { next[$0] ?? 0 } == [0: 10, 1: 40, 2: 7]
        )
        ledger.batchDone(group: g0a)
        #expect(ledger.acknowledgedOffset == 100)
        #expect(
            ledger.sequencesAtAcknowledgedOffset(partitions: [0, 1, 2]) { next[$0] ?? 0 } == [0: 15, 1: 40, 2: 7]
        )
        ledger.batchResequenced(id: 3, partition: 0, baseSequence: 0)
        ledger.batchResequenced(id: 2, partition: 1, baseSequence: 0)
        #expect(ledger.sequencesAtAcknowledgedOffset(partitions: [0, 1]) { next[$0] ?? 0 } == [0: 0, 1: 0])
        ledger.batchDone(group: g1b)
        #expect(ledger.acknowledgedOffset == 200)
        #expect(ledger.sequencesAtAcknowledgedOffset(partitions: [0, 1, 2]) { next[$0] ?? 0 } == next)
        #expect(ledger.partitionsInLedger.isEmpty)
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
