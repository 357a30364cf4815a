import KafkaClient
import KafkaProtocol
import LogTailing
import NIOCore
import RequestEncoding

/// Everything the shipper keeps for one file generation (one `TailedFileID`): its producer
/// (one producer id per file, DESIGN.md §10.3), its records on their way, and its ledger.
///
/// A record's life: read and encoded into the `open` batch of its partition → `sealed` (full,
/// lingered, or its group ended) → sequenced, built and compressed, `inFlight` until the broker
/// acknowledges it → its group's `outstanding` drops, and the checkpoint may move.
///
/// Sealed batches are sequenced strictly in the order they were sealed, so within a partition
/// sequences follow file order, and only while the producer id in the last written checkpoint
/// is the producer's own: a batch sent under an id the checkpoint does not know could be stored
/// twice after a crash.
final class FileShipment {
    struct SealedBatch {
        var partition: Int32
        var group: Int
        /// Order of sealing within the file; the compressor's results name it.
        var serial: UInt64
        var recordCount: Int32
        /// Control records (fileStats) among the batch's records.
        var controlRecords: Int
        /// Memory of the records section before compression (what `bufferedBytes` counts until built).
        var uncompressedBytes: Int
        /// The built batch once the compressor is done, with placeholder producer fields.
        var bytes: ByteBuffer?
        /// The compressor could not build it (never for lines capped by max-line-bytes).
        var failed = false
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
    /// The producer whose id the last written checkpoint holds; batches go out only under it.
    var checkpointedProducer: ProducerIdentity?
    /// An InitProducerId call for this file is under way.
    var producerRequested = false
    /// Resends decided while a new producer id was not yet checkpointed.
    var heldResends: [IdempotentProducerState.Batch] = []

    var ledger: ShipmentLedger
    /// The open batch of each partition (indexed by partition), `nil` when there is none.
    var open: [RecordsSection?]
    /// Control records in each open batch.
    var openControlRecords: [Int]
    /// Open batches (non-nil entries of `open`).
    var openCount = 0
    /// Memory (capacity) of the open batches' records sections.
    var openBytes = 0
    /// When the oldest record in an open batch was read (for linger).
    var openSince: ContinuousClock.Instant?
    /// Sealed batches waiting to be built and sent, oldest at `sealedHead`; slots before it are empty.
    var sealed: [SealedBatch?] = []
    var sealedHead = 0
    /// Serial of `sealed[sealedHead]`, and the next serial to hand out.
    var headSerial: UInt64 = 0
    var nextSerial: UInt64 = 0
    var inFlight: [UInt64: InFlightBatch] = [:]
    var inFlightPerPartition: [Int32: Int] = [:]

    /// End of the last line read: where the next line starts.
    var readOffset: Int64
    /// The open group ends at the first line end at or after this offset.
    var groupLimit: Int64
    /// Set once the tailer finished the generation.
    var end: TailedFileEnd?
    /// A newer generation of the same inode (copytruncate) took over its checkpoint file.
    var isSuperseded = false

    /// Acknowledged offset and producer of the last checkpoint written (nil before the first).
    var writtenOffset: Int64?
    var writtenProducer: ProducerIdentity?
    var writtenSequences: [Int32: Int32] = [:]
    var lastCheckpointWrite: ContinuousClock.Instant?

    /// Last file size seen at `path` (for the lag gauge).
    var lastKnownSize: Int64

    /// Key and partition of the file's control records: `file:<device>-<inode>`, stable across
    /// renames and restarts, so the control record of a group always takes the same place in
    /// the same partition's sequence.
    let statsKey: [UInt8]
    var statsPartition: Int32 = 0
    /// Time of the group's last parsed line (the control record's time), 0 if none.
    var groupLastTimeUs: Int64 = 0
    /// Losses not yet reported in a control record.
    var unreportedLostLines: UInt64 = 0
    var unreportedLostBytes: UInt64 = 0

    init(
        file: TailedFileID,
        sourceIndex: Int,
        path: String,
        sourcePattern: String,
        identity: FileIdentity,
        origin: LineOrigin,
        offset: Int64,
        groupBytes: Int64,
        partitionCount: Int32
    ) {
        self.open = Array(repeating: nil, count: Int(max(1, partitionCount)))
        self.openControlRecords = Array(repeating: 0, count: Int(max(1, partitionCount)))
        self.file = file
        self.sourceIndex = sourceIndex
        self.path = path
        self.sourcePattern = sourcePattern
        self.identity = identity
        self.origin = origin
        self.ledger = ShipmentLedger(startingAt: offset)
        self.readOffset = offset
        self.groupLimit = offset + groupBytes
        self.lastKnownSize = offset
        self.statsKey = Array("file:\(identity.device)-\(identity.inode)".utf8)
    }

    /// Sealed batches not yet sequenced.
    var waitingCount: Int { sealed.count - sealedHead }

    /// May sealed batches be sequenced and sent now?
    var canSend: Bool {
        guard let producer, !producer.isAwaitingProducerId else { return false }
        // A superseded generation's content is gone from the file (copytruncate): a crash
        // cannot make it be read and sent again, so it needs no checkpoint of its own.
        return isSuperseded || checkpointedProducer == producer.producer
    }

    /// Nothing open, waiting or in flight, and every group done.
    var isSettled: Bool {
        openCount == 0 && waitingCount == 0 && inFlight.isEmpty && ledger.isSettled
    }

    /// Takes the oldest sealed batch. Taken slots are emptied at once (a taken slot must not
    /// keep its records section alive) and the array is compacted once half of it is taken.
    func popSealed() -> SealedBatch? {
        guard sealedHead < sealed.count, let batch = sealed[sealedHead] else { return nil }
        sealed[sealedHead] = nil
        sealedHead += 1
        headSerial += 1
        if sealedHead == sealed.count {
            sealed.removeAll(keepingCapacity: true)
            sealedHead = 0
        } else if sealedHead >= 16, sealedHead * 2 >= sealed.count {
            sealed.removeFirst(sealedHead)
            sealedHead = 0
        }
        return batch
    }

    var nextSealed: SealedBatch? { sealedHead < sealed.count ? sealed[sealedHead] : nil }

    /// Queues a sealed batch (its serial is `nextSerial` at sealing).
    func appendSealed(_ batch: SealedBatch) {
        sealed.append(batch)
    }

    /// The compressor's result for batch `serial`: the built bytes, or `nil` when it failed.
    /// Returns the batch's uncompressed size (0 when no waiting batch has that serial).
    func setBuilt(serial: UInt64, bytes: ByteBuffer?) -> Int {
        guard serial >= headSerial else { return 0 }
        let index = sealedHead + Int(serial - headSerial)
        guard index < sealed.count, sealed[index] != nil else { return 0 }
        if let bytes {
            sealed[index]?.bytes = bytes
        } else {
            sealed[index]?.failed = true
        }
        return sealed[index]?.uncompressedBytes ?? 0
    }

    /// The checkpoint as of the acknowledged prefix, or `nil` while no producer id is known
    /// (then only the initial checkpoint, without one, is written).
    func checkpoint() -> Checkpoint {
        guard let producer else {
            return Checkpoint(
                identity: identity,
                path: path,
                sourcePattern: sourcePattern,
                offset: ledger.acknowledgedOffset
            )
        }
        let partitions = Set(ledger.partitionsInLedger).union(inFlightPerPartition.keys).union(writtenSequences.keys)
            .union(producerPartitions)
        let sequences = ledger.sequencesAtAcknowledgedOffset(partitions: partitions) { partition in
            producer.nextSequence(for: TopicPartition(topic: topic, partition: partition))
        }
        return Checkpoint(
            identity: identity,
            path: path,
            sourcePattern: sourcePattern,
            offset: ledger.acknowledgedOffset,
            producerId: producer.producer.producerID,
            producerEpoch: producer.producer.epoch,
            sequences: sequences
        )
    }

    /// Topic of the producer's partitions (one topic per shipper).
    var topic = ""
    /// Partitions this producer has sequenced anything for.
    var producerPartitions: Set<Int32> = []
}
