import KafkaClient
import LogTailing
import NIOCore
import RequestEncoding
import Testing

@testable import ShipperCore

/// A file generation's own changes, without a pipeline: its lifecycle, the order units come
/// back in, what stays in flight and what is held while a new producer id is not checkpointed.
@Suite struct FileShipmentTests {
    static func shipment(offset: Int64 = 0) -> FileShipment {
        let shipment = FileShipment(
            file: TailedFileID(rawValue: 7),
            sourceIndex: 0,
            path: "/var/log/nginx/access.log",
            sourcePattern: "/var/log/nginx/*.log",
            identity: FileIdentity(device: 1, inode: 2, fingerprint: [UInt8]()),
            origin: LineOrigin(edge: "edge-1", sourceFile: "/var/log/nginx/access.log"),
            offset: offset,
            auditGroup: nil,
            groupBytes: 1000
        )
        shipment.topic = "t"
        return shipment
    }

    static func encoded(_ serial: UInt64, lines: Int = 1) -> EncodedUnit {
        EncodedUnit(
            file: TailedFileID(rawValue: 7), serial: serial, batches: [], lineCount: lines, unparsedLines: 0,
            rejectedLines: 0, lastTimeUs: 0, closedGroupAt: nil, checkpointCut: nil, reservedBytes: 0, storage: [],
            worker: 0, workerRetainedBytes: 0)
    }

    @Test func unitsComeBackInSerialOrderWhateverOrderTheyFinishIn() {
        let shipment = Self.shipment()
        for _ in 0..<4 {
            _ = shipment.startUnit(storage: [], partitionCount: 1, now: .now)
            #expect(shipment.takePendingUnit(wallClockMs: 0) != nil)
        }
        #expect(shipment.unitsInWork == 4)
        #expect(shipment.takeBack(Self.encoded(2)).isEmpty)
        #expect(shipment.takeBack(Self.encoded(1)).isEmpty)
        #expect(shipment.takeBack(Self.encoded(0)).map(\.serial) == [0, 1, 2])
        #expect(shipment.unitsInWork == 1 && !shipment.isDrained)
        #expect(shipment.takeBack(Self.encoded(3)).map(\.serial) == [3])
        #expect(shipment.unitsInWork == 0 && shipment.isDrained)
    }

    @Test func aPendingUnitIsHandedOutOnceWithItsMemory() {
        let shipment = Self.shipment()
        #expect(shipment.takePendingUnit(wallClockMs: 0) == nil)
        let reserved = shipment.startUnit(storage: [UInt8](repeating: 0, count: 4096), partitionCount: 3, now: .now)
        #expect(reserved >= 4096 && shipment.hasPendingUnit && shipment.pendingSince != nil && !shipment.isDrained)
        let taken = shipment.takePendingUnit(wallClockMs: 42)
        #expect(taken?.memory == reserved && taken?.unit.serial == 0 && taken?.unit.wallClockMs == 42)
        #expect(!shipment.hasPendingUnit && shipment.pendingSince == nil && shipment.pendingMemory == 0)
        #expect(shipment.takePendingUnit(wallClockMs: 0) == nil)
    }

    @Test func aGroupWithoutLinesClosesWithARecordOnlyAtTheEndWithALoss() {
        let shipment = Self.shipment()
        #expect(!shipment.groupCloseHasRecord(final: true))
        shipment.finish(.deleted, lostBytes: 10)
        #expect(shipment.end == .deleted && !shipment.groupCloseHasRecord(final: false))
        #expect(shipment.groupCloseHasRecord(final: true))
        _ = shipment.startUnit(storage: [], partitionCount: 1, now: .now)
        shipment.markGroupClose()
        #expect(shipment.pendingUnit?.closing?.lostBytes.total == 10 && shipment.unreportedLostBytes.isEmpty)
        #expect(shipment.pendingUnit?.closing?.lostBytes.deletedUnread == 10)
    }

    /// Each end puts its bytes under the cause the metric `lost_bytes_total{cause}` uses.
    @Test(arguments: [
        (TailedFileEnd.deleted, LossCause.deletedUnread), (.truncated, .contentReplaced), (.rotated, .unfinishedLine),
    ])
    func lostBytesAreReportedUnderTheMetricsCause(end: TailedFileEnd, cause: LossCause) {
        let shipment = Self.shipment()
        shipment.finish(end, lostBytes: 7)
        _ = shipment.startUnit(storage: [], partitionCount: 1, now: .now)
        shipment.markGroupClose()
        let reported = shipment.pendingUnit?.closing?.lostBytes
        #expect(reported?.total == 7)
        #expect(reported?.deletedUnread == (cause == .deletedUnread ? 7 : 0))
        #expect(reported?.contentReplaced == (cause == .contentReplaced ? 7 : 0))
        #expect(reported?.unfinishedLine == (cause == .unfinishedLine ? 7 : 0))
    }

    @Test func aSettledFinishedFileRetires() {
        let shipment = Self.shipment()
        #expect(!shipment.isRetirable)
        shipment.supersede()
        #expect(!shipment.isRetirable && shipment.isSuperseded && !shipment.needsCheckpointCut)
        shipment.finish(.truncated, lostBytes: 0)
        #expect(shipment.isRetirable)
        shipment.retire()
        #expect(shipment.lifecycle == .retired)
    }

    /// A new producer id renumbers what is in flight; the resends wait, held, until a
    /// checkpoint names the id, and a batch answered meanwhile is no longer held.
    @Test func resendsUnderANewProducerAreHeldUntilItsCheckpointIsWritten() {
        let shipment = Self.shipment()
        #expect(shipment.requestProducerId())
        #expect(!shipment.requestProducerId(), "one InitProducerId call at a time")
        let first = ProducerIdentity(producerID: 10, epoch: 0)
        shipment.adopt(first, cluster: "c")
        #expect(shipment.producer?.producer == first && !shipment.isProducerRequested && !shipment.canSend)
        shipment.checkpointWritten(shipment.checkpoint(startCluster: "c"))
        #expect(shipment.canSend && !shipment.checkpointIsStale)

        let partition = TopicPartition(topic: "t", partition: 0)
        var batches: [IdempotentProducerState.Batch] = []
        for _ in 0..<2 {
            let group = shipment.ledger.batchSealed()
            let built = EncodedUnit.Batch(partition: 0, recordCount: 5, controlRecords: 0, bytes: ByteBuffer())
            let sealed = FileShipment.SealedBatch(built: built, group: group, memoryBytes: 100)
            guard let batch = shipment.producer?.nextBatch(for: partition, recordCount: 5) else {
                Issue.record("no batch")
                return
            }
            shipment.sent(sealed, as: batch, bytes: ByteBuffer(), by: first)
            batches.append(batch)
        }
        #expect(shipment.inFlight.count == 2 && shipment.inFlightPerPartition[0] == 2)
        #expect(shipment.nextSendablePartition(maxInFlight: 2) == nil)

        let second = ProducerIdentity(producerID: 11, epoch: 0)
        shipment.adopt(second, cluster: "c")
        #expect(!shipment.canSend && shipment.checkpointIsStale)
        #expect(Set(shipment.heldResends.map(\.id)) == Set(batches.map(\.id)))

        let landed = shipment.land(batches[0])
        #expect(landed?.memoryBytes == 100 && shipment.inFlightPerPartition[0] == 1)
        #expect(shipment.heldResends.map(\.id) == [batches[1].id], "an answered batch is not resent")
        #expect(shipment.land(batches[0]) == nil, "a batch lands once")

        shipment.checkpointWritten(shipment.checkpoint(startCluster: "c"))
        #expect(shipment.canSend && shipment.checkpointedProducer == second)
        #expect(shipment.takeHeldResends().map(\.id) == [batches[1].id] && shipment.heldResends.isEmpty)
    }
}
