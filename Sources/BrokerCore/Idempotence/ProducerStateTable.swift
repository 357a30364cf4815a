import KafkaProtocol

/// The idempotent producers of one partition as the broker knows them (DESIGN §10.2, §10.4):
/// per producer id, its epoch, the last few batches it stored (sequence range and the offset
/// they got) and when it last appended. Pure value; ``PartitionProducers`` owns one per
/// partition, keeps it in step with the log and snapshots it.
///
/// The last ``retainedBatches`` batches (Kafka keeps 5 too) are enough to answer a duplicate
/// with the offset its records were first stored at: a resending producer has at most that
/// many batches in flight per partition (librdkafka's and our client's limit). An older
/// duplicate is still recognised from the last sequence alone; only its original offset is
/// unknown.
public struct ProducerStateTable: Sendable, Hashable {
    /// Batches remembered per producer.
    public static let retainedBatches = 5

    /// One stored batch of a producer: records `firstSequence ..< firstSequence + recordCount`
    /// (modular) at offsets `baseOffset ..< baseOffset + recordCount`.
    public struct StoredBatch: Sendable, Hashable {
        public var firstSequence: Int32
        public var recordCount: Int32
        public var baseOffset: Int64

        public init(firstSequence: Int32, recordCount: Int32, baseOffset: Int64) {
            self.firstSequence = firstSequence
            self.recordCount = recordCount
            self.baseOffset = baseOffset
        }

        public var lastSequence: Int32 { ProducerSequence.advance(firstSequence, by: recordCount - 1) }

        /// The offset of the record with `sequence`, when this batch holds it.
        func offset(ofSequence sequence: Int32) -> Int64? {
            let distance = ProducerSequence.distance(from: firstSequence, to: sequence)
            return distance < Int64(recordCount) ? baseOffset + distance : nil
        }
    }

    /// One producer id.
    public struct Entry: Sendable, Hashable {
        public var epoch: Int16
        /// Oldest first, never empty, at most ``ProducerStateTable/retainedBatches``.
        public var batches: [StoredBatch]
        /// Wall-clock time of its last append (or of the rebuild that found it in the log).
        public var lastAppendMilliseconds: Int64

        /// The sequence of the last record stored.
        public var lastSequence: Int32 {
            guard let last = batches.last else { preconditionFailure("an entry holds at least one batch") }
            return last.lastSequence
        }
    }

    /// What to do with an incoming batch of an idempotent producer.
    public enum Verdict: Sendable, Hashable {
        /// Its first record is the next one expected (or a new producer or epoch starts at 0):
        /// store it whole.
        case append
        /// Every record is stored already. `originalBaseOffset` is where its first record went,
        /// when the retained batches still say.
        case duplicate(originalBaseOffset: Int64?)
        /// The first `knownRecords` records are stored already, the rest are new: store only
        /// those (trim the batch).
        case overlap(knownRecords: Int32, originalBaseOffset: Int64?)
        /// A gap: the batch starts after the next expected sequence (or a new epoch does not
        /// start at 0). OUT_OF_ORDER_SEQUENCE_NUMBER.
        case outOfOrder(expected: Int32)
        /// A producer id the table does not know, not starting at 0: none of its batches is in
        /// the log any more (its state is kept while one is), or the log was wiped. Nothing of it
        /// can be recognised as a duplicate, so the producer must start over under a new id.
        /// UNKNOWN_PRODUCER_ID.
        case unknownProducer
        /// An epoch older than the one stored: a fenced, stale producer. INVALID_PRODUCER_EPOCH.
        case staleEpoch(current: Int16)
    }

    public private(set) var entries: [Int64: Entry] = [:]

    public init() {}

    init(entries: [Int64: Entry]) {
        self.entries = entries
    }

    /// Decides about a batch of `recordCount` records (`>= 1`) from `producerID` (`>= 0`) with
    /// `epoch` (`>= 0`) starting at `baseSequence` (`>= 0`). Changes nothing.
    ///
    /// Within one epoch a sequence less than 2^30 behind the next expected one is a resend
    /// (duplicate or overlap); anything else that is not the next one is a gap.
    public func check(producerID: Int64, epoch: Int16, baseSequence: Int32, recordCount: Int32) -> Verdict {
        precondition(recordCount >= 1 && baseSequence >= 0, "a checked batch is well formed")
        guard let entry = entries[producerID] else {
            return baseSequence == 0 ? .append : .unknownProducer
        }
        if epoch < entry.epoch { return .staleEpoch(current: entry.epoch) }
        if epoch > entry.epoch { return baseSequence == 0 ? .append : .outOfOrder(expected: 0) }
        let expected = ProducerSequence.advance(entry.lastSequence, by: 1)
        let behind = ProducerSequence.distance(from: baseSequence, to: expected)
        if behind == 0 { return .append }
        guard behind < ProducerSequence.modulus / 2 else { return .outOfOrder(expected: expected) }
        let original = entry.batches.lazy.compactMap { $0.offset(ofSequence: baseSequence) }.first
        if behind >= Int64(recordCount) { return .duplicate(originalBaseOffset: original) }
        return .overlap(knownRecords: Int32(behind), originalBaseOffset: original)
    }

    /// Records a batch stored at `baseOffset`. A new epoch replaces what was known of the
    /// producer; the oldest retained batch is forgotten beyond ``retainedBatches``.
    public mutating func record(
        producerID: Int64,
        epoch: Int16,
        firstSequence: Int32,
        recordCount: Int32,
        baseOffset: Int64,
        at milliseconds: Int64
    ) {
        let batch = StoredBatch(firstSequence: firstSequence, recordCount: recordCount, baseOffset: baseOffset)
        guard var entry = entries[producerID], entry.epoch == epoch else {
            entries[producerID] = Entry(epoch: epoch, batches: [batch], lastAppendMilliseconds: milliseconds)
            return
        }
        entry.batches.append(batch)
        if entry.batches.count > Self.retainedBatches { entry.batches.removeFirst() }
        entry.lastAppendMilliseconds = max(entry.lastAppendMilliseconds, milliseconds)
        entries[producerID] = entry
    }

    /// Forgets producers whose last append is before `cutoff` (ms) and none of whose batches
    /// is in the log any more (their newest batch ends before `logStartOffset`).
    ///
    /// Idle time alone is not enough: a quiet file's shipper may resend its last batches after
    /// a weekend, and as long as they are in the log the broker must recognise them as
    /// duplicates rather than store them again (DESIGN §10.4).
    /// - Returns: how many were forgotten.
    @discardableResult
    public mutating func removeProducers(idleBefore cutoff: Int64, logStartOffset: Int64) -> Int {
        let before = entries.count
        entries = entries.filter { _, entry in
            guard entry.lastAppendMilliseconds < cutoff, let newest = entry.batches.last else { return true }
            return newest.baseOffset + Int64(newest.recordCount) > logStartOffset
        }
        return before - entries.count
    }
}
