import KafkaProtocol

/// The client half of Kafka's idempotent producer (DESIGN §10.3–4), as a pure value: the
/// producer id and epoch, the next sequence number of every partition, and the batches sent but
/// not yet acknowledged, in sequence order. Feed it every answer (or transport failure) and do
/// what the returned ``Action``s say.
///
/// Sequences: a batch of `n` records starting at `s` covers `s … s+n-1`; the partition's next
/// batch starts at `s+n`, wrapping from `Int32.max` to 0 as Kafka's `incrementSequence` does.
///
/// Rules:
/// - NONE and DUPLICATE_SEQUENCE_NUMBER acknowledge the batch (a duplicate was stored before).
/// - A retriable error or a transport failure on the batch's latest transmission: resend every
///   unacknowledged batch of the partition, oldest first, with the *same* sequences (the broker
///   stores only what it lacks). Answers to older transmissions are ignored, except successes.
/// - OUT_OF_ORDER_SEQUENCE_NUMBER after an earlier failure of the partition (or for a batch
///   behind an unacknowledged one): part of the same resend. For the oldest unacknowledged batch
///   when nothing failed: the broker lost acknowledged records — report the gap and ask for a new
///   producer id, then ``adopt(_:)`` re-sequences everything unacknowledged from 0.
/// - A batch the broker can never accept (too large, corrupt, …) is rejected for good; its
///   sequences leave a hole, so a new producer id is needed too.
/// - UNKNOWN_PRODUCER_ID, INVALID_PRODUCER_EPOCH, PRODUCER_FENCED: the broker forgot or fenced
///   this producer; a new producer id, nothing lost.
public struct IdempotentProducerState: Sendable, Equatable {
    /// One transmission of one batch.
    public struct Batch: Sendable, Hashable {
        /// Stable across resends and re-sequencing: the caller's key to the batch's records.
        public var id: UInt64
        public var partition: TopicPartition
        public var baseSequence: Int32
        public var recordCount: Int32
        /// 0 for the first transmission, one more for each resend.
        public var attempt: Int

        public init(id: UInt64, partition: TopicPartition, baseSequence: Int32, recordCount: Int32, attempt: Int) {
            self.id = id
            self.partition = partition
            self.baseSequence = baseSequence
            self.recordCount = recordCount
            self.attempt = attempt
        }

        /// The sequence after this batch's last record.
        public var nextSequence: Int32 { IdempotentProducerState.sequence(baseSequence, advancedBy: recordCount) }
    }

    public enum Action: Sendable, Equatable {
        /// The batch is stored; `baseOffset` is `nil` when the broker did not say (a duplicate).
        case acknowledged(Batch, baseOffset: Int64?)
        /// Send these transmissions, in this order, before anything newer for their partitions.
        /// Sequences are unchanged unless they follow ``adopt(_:)``, which renumbers them (then
        /// the batches must be rebuilt with the new producer id, epoch and base sequence).
        case resend([Batch])
        /// The broker refused the batch for good; its records are lost and must be counted.
        case rejected(Batch, KafkaErrorCode)
        /// The broker expected a different sequence though nothing failed: it lost records it
        /// had acknowledged (fsync off, data wiped). Count the gap; a new producer id follows.
        case sequenceGap(TopicPartition, firstUnacknowledgedSequence: Int32)
        /// Call InitProducerId, then ``adopt(_:)``. Nothing new can be sequenced until then.
        case requestNewProducerId
    }

    private struct PartitionState: Sendable, Equatable {
        var nextSequence: Int32
        /// Sent, not acknowledged, in sequence order.
        var inFlight: [Batch] = []
        /// A retriable failure happened and no success or OUT_OF_ORDER resend has followed.
        var unresolvedFailure = false
    }

    public private(set) var producer: ProducerIdentity
    /// Between ``Action/requestNewProducerId`` and ``adopt(_:)``.
    public private(set) var isAwaitingProducerId = false
    private var partitions: [TopicPartition: PartitionState]
    private var nextBatchID: UInt64 = 0

    /// - Parameter nextSequences: restored from a checkpoint (DESIGN §10.3); partitions not
    ///   listed start at 0.
    public init(producer: ProducerIdentity, nextSequences: [TopicPartition: Int32] = [:]) {
        self.producer = producer
        self.partitions = nextSequences.mapValues { PartitionState(nextSequence: $0) }
    }

    // MARK: - Queries

    /// The base sequence the partition's next new batch gets.
    public func nextSequence(for partition: TopicPartition) -> Int32 {
        partitions[partition]?.nextSequence ?? 0
    }

    /// The first sequence not yet acknowledged: what a checkpoint stores (DESIGN §10.3).
    public func firstUnacknowledgedSequence(for partition: TopicPartition) -> Int32 {
        guard let state = partitions[partition] else { return 0 }
        return state.inFlight.first?.baseSequence ?? state.nextSequence
    }

    /// The partition's unacknowledged batches (latest transmissions), oldest first.
    public func unacknowledged(in partition: TopicPartition) -> [Batch] {
        partitions[partition]?.inFlight ?? []
    }

    // MARK: - Events

    /// Sequences a new batch of `recordCount` records for `partition`; `nil` while awaiting a
    /// new producer id.
    public mutating func nextBatch(for partition: TopicPartition, recordCount: Int32) -> Batch? {
        precondition(recordCount > 0, "a batch holds at least one record")
        guard !isAwaitingProducerId else { return nil }
        var state = partitions[partition] ?? PartitionState(nextSequence: 0)
        let batch = Batch(
            id: nextBatchID,
            partition: partition,
            baseSequence: state.nextSequence,
            recordCount: recordCount,
            attempt: 0
        )
        nextBatchID &+= 1
        state.nextSequence = batch.nextSequence
        state.inFlight.append(batch)
        partitions[partition] = state
        return batch
    }

    /// The broker's answer for `batch` (the transmission it answers).
    public mutating func handle(_ result: ProduceResult, for batch: Batch) -> [Action] {
        handle(result.errorCode, baseOffset: result.baseOffset, for: batch)
    }

    /// The broker's answer for `batch` (the transmission it answers).
    public mutating func handle(_ errorCode: KafkaErrorCode, baseOffset: Int64?, for batch: Batch) -> [Action] {
        guard var state = partitions[batch.partition],
            let index = state.inFlight.firstIndex(where: { $0.id == batch.id })
        else { return [] }  // acknowledged already, or rejected
        let latest = state.inFlight[index]
        let isLatest = latest.attempt == batch.attempt
        defer { partitions[batch.partition] = state }

        switch Self.disposition(of: errorCode) {
        case .stored:
            state.inFlight.remove(at: index)
            state.unresolvedFailure = false
            return [.acknowledged(latest, baseOffset: errorCode == .none ? baseOffset : nil)]
        case .retriable:
            guard isLatest, !isAwaitingProducerId else { return [] }
            state.unresolvedFailure = true
            return [.resend(Self.retransmitAll(&state))]
        case .outOfOrder:
            guard isLatest, !isAwaitingProducerId else { return [] }
            if index == 0 && !state.unresolvedFailure {
                isAwaitingProducerId = true
                return [
                    .sequenceGap(batch.partition, firstUnacknowledgedSequence: latest.baseSequence),
                    .requestNewProducerId,
                ]
            }
            // One resend per failure: if the oldest batch is refused again, it is a gap.
            if index == 0 { state.unresolvedFailure = false }
            return [.resend(Self.retransmitAll(&state))]
        case .producerUnknown:
            guard !isAwaitingProducerId else { return [] }
            isAwaitingProducerId = true
            return [.requestNewProducerId]
        case .refused:
            state.inFlight.remove(at: index)
            guard !isAwaitingProducerId else { return [.rejected(latest, errorCode)] }
            isAwaitingProducerId = true
            return [.rejected(latest, errorCode), .requestNewProducerId]
        }
    }

    /// `batch` got no answer: the connection closed or the request timed out. The broker may or
    /// may not have stored it, so it is resent with the same sequence like any retriable error.
    public mutating func transportFailed(_ batch: Batch) -> [Action] {
        handle(KafkaErrorCode(rawValue: Self.networkException), baseOffset: nil, for: batch)
    }

    /// Takes a fresh producer id (after ``Action/requestNewProducerId``): every partition starts
    /// again at sequence 0, and the unacknowledged batches are renumbered from 0 in their order
    /// and returned as one resend.
    public mutating func adopt(_ identity: ProducerIdentity) -> [Action] {
        producer = identity
        isAwaitingProducerId = false
        var resend: [Batch] = []
        let keys = partitions.keys.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }
        for key in keys {
            guard var state = partitions[key] else { continue }
            var sequence: Int32 = 0
            for index in state.inFlight.indices {
                state.inFlight[index].baseSequence = sequence
                state.inFlight[index].attempt += 1
                sequence = state.inFlight[index].nextSequence
            }
            state.nextSequence = sequence
            state.unresolvedFailure = false
            resend += state.inFlight
            partitions[key] = state
        }
        return resend.isEmpty ? [] : [.resend(resend)]
    }

    // MARK: - Rules

    /// Kafka's `DefaultRecordBatch.incrementSequence`: sequences wrap from `Int32.max` to 0.
    public static func sequence(_ sequence: Int32, advancedBy increment: Int32) -> Int32 {
        if sequence > Int32.max - increment { return increment - (Int32.max - sequence) - 1 }
        return sequence + increment
    }

    private static func retransmitAll(_ state: inout PartitionState) -> [Batch] {
        for index in state.inFlight.indices { state.inFlight[index].attempt += 1 }
        return state.inFlight
    }

    private enum Disposition {
        case stored, retriable, outOfOrder, producerUnknown, refused
    }

    /// NETWORK_EXCEPTION, Kafka's code for "the connection broke".
    private static let networkException: Int16 = 13

    /// Codes after which resending the same records can never succeed (Kafka's non-retriable
    /// produce errors): CORRUPT_MESSAGE 2, MESSAGE_TOO_LARGE 10, INVALID_TOPIC_EXCEPTION 17,
    /// RECORD_LIST_TOO_LARGE 18, INVALID_REQUIRED_ACKS 21, TOPIC_AUTHORIZATION_FAILED 29,
    /// CLUSTER_AUTHORIZATION_FAILED 31, INVALID_TIMESTAMP 32, UNSUPPORTED_VERSION 35,
    /// UNSUPPORTED_FOR_MESSAGE_FORMAT 43, UNSUPPORTED_COMPRESSION_TYPE 76, INVALID_RECORD 87.
    private static let refusedCodes: Set<Int16> = [2, 10, 17, 18, 21, 29, 31, 32, 35, 43, 76, 87]
    /// INVALID_PRODUCER_EPOCH 47, INVALID_PRODUCER_ID_MAPPING 49, UNKNOWN_PRODUCER_ID 59,
    /// PRODUCER_FENCED 90.
    private static let producerUnknownCodes: Set<Int16> = [47, 49, 59, 90]

    /// Every other code — NOT_LEADER_OR_FOLLOWER, REQUEST_TIMED_OUT, NOT_ENOUGH_REPLICAS,
    /// KAFKA_STORAGE_ERROR (a full disk), UNKNOWN_SERVER_ERROR and codes this list does not know —
    /// is retried: a shipper never drops records over an error it cannot classify.
    private static func disposition(of code: KafkaErrorCode) -> Disposition {
        switch code {
        case .none, .duplicateSequenceNumber: .stored
        case .outOfOrderSequenceNumber: .outOfOrder
        default:
            if refusedCodes.contains(code.rawValue) {
                .refused
            } else if producerUnknownCodes.contains(code.rawValue) {
                .producerUnknown
            } else {
                .retriable
            }
        }
    }
}
