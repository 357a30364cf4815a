import KafkaClient
import KafkaProtocol
import LogTailing
import NIOCore
import RequestEncoding

/// Everything the shipper keeps for one file generation (one `TailedFileID`): its producer
/// (one producer id per file, DESIGN.md §10.3), its records on their way, and its ledger.
///
/// A record's life: its line is copied into the file's `pendingUnit` → the unit goes to the
/// `EncodingPool` (its group ended, it lingered, or the shipper stops) → the unit comes back as
/// built batches, taken in unit order, `sealed` → sequenced, `inFlight` until the broker
/// acknowledges it → its group's `outstanding` drops, and the checkpoint may move.
///
/// Sealed batches are sequenced strictly in the order they were sealed, so within a partition
/// sequences follow file order, and only while the producer id in the last written checkpoint
/// is the producer's own: a batch sent under an id the checkpoint does not know could be stored
/// twice after a crash.
final class FileShipment {
    /// A built batch (from `EncodedUnit`) waiting to be sent, with its place in the ledger.
    struct SealedBatch {
        /// Partition, records, control records and bytes (`nil` when it could not be built).
        var built: EncodedUnit.Batch
        var group: Int
        /// What the pipeline's `MemoryBudget` counts for it until it is acknowledged.
        var memoryBytes: Int
    }

    struct InFlightBatch {
        var batch: IdempotentProducerState.Batch
        var group: Int
        /// The built batch, kept for resends until acknowledged.
        var bytes: ByteBuffer
        /// The producer id and base sequence written in `bytes`.
        var stampedProducer: ProducerIdentity
        var stampedSequence: Int32
        var controlRecords: Int
        var memoryBytes: Int
    }

    let file: TailedFileID
    let sourceIndex: Int
    let path: String
    let sourcePattern: String
    /// Latest known identity (its fingerprint grows with the file while it is short).
    var identity: FileIdentity
    /// `edge` and `sourceFile` of every record; offset and truncation are set per line.
    var origin: LineOrigin

    /// `nil` until the broker gave this file a producer id (or the checkpoint restored one).
    var producer: IdempotentProducerState?
    /// The broker cluster that gave `producer` (a checkpoint records it: DESIGN.md §10.3).
    var producerCluster: String?
    /// The producer whose id the last written checkpoint holds; batches go out only under it.
    var checkpointedProducer: ProducerIdentity?
    /// An InitProducerId call for this file is under way (`requestProducerId()`, `adopt`).
    private(set) var isProducerRequested = false
    /// Resends decided while a new producer id was not yet checkpointed.
    var heldResends: [IdempotentProducerState.Batch] = []

    var ledger: ShipmentLedger
    /// Lines read since the last unit was handed to the encoders; `nil` when there are none.
    var pendingUnit: EncodingUnit?
    /// Memory of `pendingUnit`, as counted in the pipeline's `MemoryBudget`.
    var pendingMemory = 0
    /// Whether `pendingUnit` is set, checked per line without reading (copying) the unit.
    /// Set and cleared together with it.
    var hasPendingUnit = false
    /// When the first line of `pendingUnit` was read (for linger).
    var pendingSince: ContinuousClock.Instant?
    /// Serial of the next unit handed out, and of the next unit to take back.
    var nextUnitSerial: UInt64 = 0
    var nextUnitToTake: UInt64 = 0
    /// Units the encoders finished before an earlier unit of the file, by serial.
    var encodedAhead: [UInt64: EncodedUnit] = [:]
    /// Sealed batches waiting to be sent, oldest first (a taken one is not kept alive here).
    var sealed = SlotQueue<SealedBatch>()
    var inFlight: [UInt64: InFlightBatch] = [:]
    var inFlightPerPartition: [Int32: Int] = [:]

    /// End of the last line read: where the next line starts.
    var readOffset: Int64
    /// Where the last group cut (audit or checkpoint) was made: lines after it are in no
    /// closed group yet.
    var cutOffset: Int64
    /// When the last line was read; a file quiet for `drain-idle` gets a checkpoint cut.
    var lastLineAt: ContinuousClock.Instant?
    /// Per partition, records still to skip after a restart: the checkpoint's `storedAhead`
    /// not yet read.
    var storedAheadRemaining: [Int32: Int32] = [:]
    /// The open group ends at the first line end at or after this offset.
    var groupLimit: Int64
    /// Where the audit group being read started, and its lines read so far (the ledger learns
    /// of them only when their unit comes back).
    var readGroupStart: Int64
    var readGroupLines = 0
    /// Reading, finished by the tailer, superseded by a newer generation, retired.
    private(set) var lifecycle = ShipmentLifecycle.reading

    /// Acknowledged offset and producer of the last checkpoint written (nil before the first).
    var writtenOffset: Int64?
    var writtenProducer: ProducerIdentity?
    var writtenSequences: [Int32: Int32] = [:]
    var lastCheckpointWrite: ContinuousClock.Instant?

    /// Last file size seen at `path` (for the lag gauge).
    var lastKnownSize: Int64

    /// Key and partition of the file's control records: `file:<device>-<inode>`, stable across
    /// renames and restarts, so the control record of a group always takes the same place in
    /// the same partition's sequence. A copy continuing another file's checkpoint keeps that
    /// file's key (`controlRecordKey`).
    let statsKey: [UInt8]
    /// The key when it is not this file's own (kept in its checkpoints), else `nil`.
    let controlRecordKey: String?
    var statsPartition: Int32 = 0
    /// Time of the last parsed line of the group's units taken back so far (a control record's
    /// time when its own unit has no parsed line), 0 if none; reset when a group closes.
    var lastTimeUs: Int64 = 0
    /// Losses not yet reported in a control record.
    var unreportedLostLines: UInt64 = 0
    var unreportedLostBytes = LostFileBytes()

    init(
        file: TailedFileID,
        sourceIndex: Int,
        path: String,
        sourcePattern: String,
        identity: FileIdentity,
        origin: LineOrigin,
        offset: Int64,
        auditGroup: Checkpoint.AuditGroup?,
        groupBytes: Int64,
        controlRecordKey: String? = nil
    ) {
        self.file = file
        self.sourceIndex = sourceIndex
        self.path = path
        self.sourcePattern = sourcePattern
        self.identity = identity
        self.origin = origin
        self.ledger = ShipmentLedger(startingAt: offset, auditGroup: auditGroup)
        self.readOffset = offset
        self.cutOffset = offset
        let auditStart = auditGroup?.start ?? offset
        self.groupLimit = auditStart + groupBytes
        self.readGroupStart = auditStart
        self.readGroupLines = Int(auditGroup?.lines ?? 0)
        self.lastTimeUs = auditGroup?.lastTimeUs ?? 0
        self.lastKnownSize = offset
        self.controlRecordKey = controlRecordKey
        self.statsKey = Array((controlRecordKey ?? Self.controlRecordKey(of: identity)).utf8)
    }

    /// A file's own control-record key.
    static func controlRecordKey(of identity: FileIdentity) -> String {
        "file:\(identity.device)-\(identity.inode)"
    }

    /// Sealed batches not yet sequenced.
    var waitingCount: Int { sealed.count }

    /// May sealed batches be sequenced and sent now?
    var canSend: Bool {
        guard let producer, !producer.isAwaitingProducerId else { return false }
        // A superseded generation's content is gone from the file (copytruncate): a crash
        // cannot make it be read and sent again, so it needs no checkpoint of its own.
        return isSuperseded || checkpointedProducer == producer.producer
    }

    /// Units handed to the encoders and not yet taken back.
    var unitsInWork: UInt64 { nextUnitSerial - nextUnitToTake }

    /// Nothing pending, encoding, waiting or in flight.
    var isDrained: Bool {
        !hasPendingUnit && unitsInWork == 0 && waitingCount == 0 && inFlight.isEmpty
    }

    /// Drained, and every group done.
    var isSettled: Bool { isDrained && ledger.isSettled }

    /// Takes the oldest sealed batch.
    func popSealed() -> SealedBatch? {
        sealed.popFirst()
    }

    /// Partition of the oldest sealed batch (not the batch itself: a copy held while the batch
    /// is stamped would make the stamp copy all its bytes).
    var nextSealedPartition: Int32? { sealed.first?.built.partition }

    func appendSealed(_ batch: SealedBatch) {
        sealed.append(batch)
    }

    /// The checkpoint as of the acknowledged prefix; without producer fields while no producer
    /// id is known (then only the initial checkpoint is written, with the cluster seen at start).
    func checkpoint(startCluster: String?) -> Checkpoint {
        let clusterId = producer == nil ? startCluster : producerCluster
        guard let producer else {
            return Checkpoint(
                identity: identity,
                path: path,
                sourcePattern: sourcePattern,
                offset: ledger.acknowledgedOffset,
                clusterId: clusterId,
                auditGroup: ledger.acknowledgedAuditGroup,
                controlRecordKey: controlRecordKey
            )
        }
        let partitions = Set(ledger.partitionsInLedger).union(inFlightPerPartition.keys).union(writtenSequences.keys)
            .union(producerPartitions).union(storedAheadRemaining.keys)
        let state = ledger.checkpointState(
            partitions: partitions, current: producer.producer, pendingStoredAhead: storedAheadRemaining
        ) { partition in
            producer.nextSequence(for: TopicPartition(topic: topic, partition: partition))
        }
        return Checkpoint(
            identity: identity,
            path: path,
            sourcePattern: sourcePattern,
            offset: ledger.acknowledgedOffset,
            clusterId: clusterId,
            producerId: producer.producer.producerID,
            producerEpoch: producer.producer.epoch,
            sequences: state.sequences,
            storedAhead: state.storedAhead,
            auditGroup: ledger.acknowledgedAuditGroup,
            controlRecordKey: controlRecordKey
        )
    }

    /// Topic of the producer's partitions (one topic per shipper).
    var topic = ""
    /// Partitions this producer has sequenced anything for.
    var producerPartitions: Set<Int32> = []
}

// MARK: - Lifecycle

extension FileShipment {
    /// Set once the tailer finished the generation.
    var end: TailedFileEnd? { lifecycle.end }

    /// A newer generation of the same inode (copytruncate) took over its checkpoint file.
    var isSuperseded: Bool { lifecycle.isSuperseded }

    /// The tailer finished the generation: `lostBytes` of it were never read, to be reported
    /// (under the cause `end` stands for) in the control record that closes its last group.
    func finish(_ end: TailedFileEnd, lostBytes: Int64) {
        lifecycle.finish(end)
        unreportedLostBytes.add(lostBytes, endedBy: end)
    }

    /// A newer generation of the same inode started and owns the checkpoint file now.
    func supersede() {
        lifecycle.supersede()
    }

    /// Finished and settled: ready to be forgotten.
    var isRetirable: Bool { end != nil && isSettled }

    func retire() {
        precondition(isSettled, "a file generation retires only when every line is acknowledged")
        lifecycle.retire()
    }
}

// MARK: - Producer

extension FileShipment {
    /// Marks an InitProducerId call as under way; `false` when one is already.
    func requestProducerId() -> Bool {
        guard !isProducerRequested else { return false }
        isProducerRequested = true
        return true
    }

    /// Restores the producer a checkpoint recorded (same id, epoch and sequences, and the
    /// records it says the broker stored ahead), and notes the checkpoint as the last written.
    func restoreProducer(from checkpoint: Checkpoint) {
        let producer = ProducerIdentity(producerID: checkpoint.producerId, epoch: checkpoint.producerEpoch)
        var sequences: [TopicPartition: Int32] = [:]
        for (partition, next) in checkpoint.sequences {
            sequences[TopicPartition(topic: topic, partition: partition)] = next
        }
        self.producer = IdempotentProducerState(producer: producer, nextSequences: sequences)
        producerPartitions = Set(checkpoint.sequences.keys)
        storedAheadRemaining = checkpoint.storedAhead
        producerCluster = checkpoint.clusterId
        checkpointedProducer = producer
        writtenOffset = checkpoint.offset
        writtenProducer = producer
        writtenSequences = checkpoint.sequences
    }

    /// A producer id arrived: the file's first, or a new one (everything unacknowledged is
    /// renumbered under it and held until a checkpoint names the id, see `canSend`).
    func adopt(_ identity: ProducerIdentity, cluster: String?) {
        isProducerRequested = false
        producerCluster = cluster
        guard producer != nil else {
            producer = IdempotentProducerState(producer: identity)
            return
        }
        let actions = producer?.adopt(identity) ?? []
        for case .resend(let batches) in actions {
            for batch in batches {
                ledger.batchResequenced(
                    id: batch.id,
                    partition: batch.partition.partition,
                    baseSequence: batch.baseSequence,
                    producer: identity
                )
            }
            hold(batches)
        }
    }

    /// Keeps the latest transmission of each batch until the file may send again.
    func hold(_ batches: [IdempotentProducerState.Batch]) {
        let replaced = Set(batches.map(\.id))
        heldResends.removeAll { replaced.contains($0.id) }
        heldResends.append(contentsOf: batches)
    }

    /// The resends held while the file could not send, oldest first; none are kept.
    func takeHeldResends() -> [IdempotentProducerState.Batch] {
        defer { heldResends = [] }
        return heldResends
    }
}

// MARK: - Batches in flight

extension FileShipment {
    /// Partition of the oldest sealed batch, when that partition has room for one more batch
    /// in flight.
    func nextSendablePartition(maxInFlight: Int) -> Int32? {
        guard let partition = nextSealedPartition, inFlightPerPartition[partition, default: 0] < maxInFlight else {
            return nil
        }
        return partition
    }

    /// A sealed batch went out under `batch`'s sequences: kept (with its bytes, for resends)
    /// until acknowledged or refused.
    func sent(
        _ sealed: SealedBatch,
        as batch: IdempotentProducerState.Batch,
        bytes: ByteBuffer,
        by producer: ProducerIdentity
    ) {
        inFlight[batch.id] = InFlightBatch(
            batch: batch,
            group: sealed.group,
            bytes: bytes,
            stampedProducer: producer,
            stampedSequence: batch.baseSequence,
            controlRecords: sealed.built.controlRecords,
            memoryBytes: sealed.memoryBytes
        )
        inFlightPerPartition[sealed.built.partition, default: 0] += 1
        producerPartitions.insert(sealed.built.partition)
        ledger.batchSequenced(
            id: batch.id,
            partition: sealed.built.partition,
            baseSequence: batch.baseSequence,
            recordCount: batch.recordCount,
            producer: producer,
            group: sealed.group
        )
    }

    /// The broker answered a batch for good (acknowledged or refused): it leaves the flight.
    /// - Returns: its entry (its memory is the caller's to release); `nil` if it was not in flight.
    func land(_ batch: IdempotentProducerState.Batch) -> InFlightBatch? {
        guard let entry = inFlight.removeValue(forKey: batch.id) else { return nil }
        inFlightPerPartition[batch.partition.partition, default: 1] -= 1
        heldResends.removeAll { $0.id == batch.id }
        return entry
    }
}

// MARK: - Checkpoints

extension FileShipment {
    /// The acknowledged prefix or the producer moved since the last checkpoint written.
    var checkpointIsStale: Bool {
        writtenOffset != ledger.acknowledgedOffset || writtenProducer != producer?.producer
    }

    /// `checkpoint` is on disk: from now on batches may go out under its producer.
    func checkpointWritten(_ checkpoint: Checkpoint) {
        writtenOffset = checkpoint.offset
        writtenProducer = producer?.producer
        writtenSequences = checkpoint.sequences
        checkpointedProducer = producer?.producer
    }

    /// Forgets the last checkpoint written, so the next turn writes one again (without
    /// `missingSince`, or under a taken-over file's name).
    func forgetWrittenCheckpoint() {
        writtenOffset = nil
    }
}
