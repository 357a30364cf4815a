import KafkaClient
import KafkaProtocol
import Testing

struct IdempotentProducerStateTests {
    typealias State = IdempotentProducerState
    let p0 = TopicPartition(topic: "access", partition: 0)
    let p1 = TopicPartition(topic: "access", partition: 1)
    let producer = ProducerIdentity(producerID: 7, epoch: 0)
    /// KAFKA_STORAGE_ERROR: what a broker with a full disk answers.
    let storageError = KafkaErrorCode(rawValue: 56)

    private func sequences(_ batches: [State.Batch]) -> [Int32] { batches.map(\.baseSequence) }

    private static func sequence(_ state: inout State, _ partition: TopicPartition, _ count: Int32) throws
        -> State.Batch
    {
        let batch = state.nextBatch(for: partition, recordCount: count)
        return try #require(batch)
    }

    @Test func sequencesCountRecordsPerPartition() throws {
        var state = State(producer: producer)
        let a = try Self.sequence(&state, p0, 10)
        let b = try Self.sequence(&state, p1, 4)
        let c = try Self.sequence(&state, p0, 5)
        #expect(a.baseSequence == 0)
        #expect(b.baseSequence == 0)
        #expect(c.baseSequence == 10)
        #expect(state.nextSequence(for: p0) == 15)
        #expect(state.nextSequence(for: p1) == 4)
        #expect(Set([a.id, b.id, c.id]).count == 3)
    }

    /// Kafka's `incrementSequence`: a batch of 5 starting at Int32.max - 1 covers max-1, max, 0,
    /// 1, 2, so the next one starts at 3.
    @Test func sequencesWrapLikeKafka() throws {
        var state = State(producer: producer, nextSequences: [p0: .max - 1])
        let batch = try Self.sequence(&state, p0, 5)
        #expect(batch.baseSequence == Int32.max - 1)
        #expect(state.nextSequence(for: p0) == 3)
        #expect(State.sequence(.max, advancedBy: 1) == 0)
        #expect(State.sequence(100, advancedBy: 1) == 101)
    }

    @Test func successesAcknowledgeInOrderAndAdvanceTheCheckpoint() throws {
        var state = State(producer: producer, nextSequences: [p0: 100])
        let a = try Self.sequence(&state, p0, 3)
        let b = try Self.sequence(&state, p0, 2)
        #expect(state.firstUnacknowledgedSequence(for: p0) == 100)
        #expect(state.handle(.none, baseOffset: 40, for: a) == [.acknowledged(a, baseOffset: 40)])
        #expect(state.firstUnacknowledgedSequence(for: p0) == 103)
        #expect(
            state.handle(ProduceResult(errorCode: .none, baseOffset: 43), for: b) == [.acknowledged(b, baseOffset: 43)]
        )
        #expect(state.firstUnacknowledgedSequence(for: p0) == 105)
        #expect(state.unacknowledged(in: p0).isEmpty)
        // A second answer for an acknowledged batch changes nothing.
        #expect(state.handle(.none, baseOffset: 43, for: b) == [])
    }

    /// DUPLICATE_SEQUENCE_NUMBER means the broker has the records already: success, offset unknown.
    @Test func duplicateIsSuccess() throws {
        var state = State(producer: producer)
        let a = try Self.sequence(&state, p0, 3)
        #expect(state.handle(.duplicateSequenceNumber, baseOffset: -1, for: a) == [.acknowledged(a, baseOffset: nil)])
        #expect(state.firstUnacknowledgedSequence(for: p0) == 3)
    }

    /// Disk full on the first of three batches in flight: one resend of all three with the same
    /// sequences; the OUT_OF_ORDER answers to the old transmissions of the other two are ignored.
    @Test func failureThenOutOfOrderResendsFromFirstUnacknowledged() throws {
        var state = State(producer: producer)
        let a = try Self.sequence(&state, p0, 10)
        let b = try Self.sequence(&state, p0, 10)
        let c = try Self.sequence(&state, p0, 10)
        let actions = state.handle(storageError, baseOffset: nil, for: a)
        guard case .resend(let resent) = try #require(actions.first), actions.count == 1 else {
            Issue.record("expected one resend, got \(actions)")
            return
        }
        #expect(resent.map(\.id) == [a.id, b.id, c.id])
        #expect(sequences(resent) == [0, 10, 20])
        #expect(resent.map(\.attempt) == [1, 1, 1])
        #expect(state.handle(.outOfOrderSequenceNumber, baseOffset: nil, for: b) == [])
        #expect(state.handle(.outOfOrderSequenceNumber, baseOffset: nil, for: c) == [])
        #expect(state.nextSequence(for: p0) == 30)
        // The resends succeed.
        #expect(state.handle(.none, baseOffset: 0, for: resent[0]) == [.acknowledged(resent[0], baseOffset: 0)])
        #expect(state.handle(.none, baseOffset: 10, for: resent[1]) == [.acknowledged(resent[1], baseOffset: 10)])
        #expect(state.handle(.none, baseOffset: 20, for: resent[2]) == [.acknowledged(resent[2], baseOffset: 20)])
        #expect(state.firstUnacknowledgedSequence(for: p0) == 30)
    }

    /// The connection dropped with three batches in flight: every one fails, one resend results.
    @Test func transportFailureResendsOnce() throws {
        var state = State(producer: producer)
        let batches = try (0..<3).map { _ in try Self.sequence(&state, p0, 1) }
        let first = state.transportFailed(batches[0])
        #expect(
            first == [
                .resend(
                    batches.map {
                        State.Batch(id: $0.id, partition: p0, baseSequence: $0.baseSequence, recordCount: 1, attempt: 1)
                    }
                )
            ]
        )
        #expect(state.transportFailed(batches[1]) == [])
        #expect(state.transportFailed(batches[2]) == [])
    }

    /// A partition's failure does not touch another partition's batches.
    @Test func failureStaysInItsPartition() throws {
        var state = State(producer: producer)
        let a = try Self.sequence(&state, p0, 1)
        let b = try Self.sequence(&state, p1, 1)
        let actions = state.handle(.notLeaderOrFollower, baseOffset: nil, for: a)
        #expect(actions.count == 1)
        if case .resend(let resent) = actions.first { #expect(resent.map(\.id) == [a.id]) }
        #expect(state.handle(.none, baseOffset: 5, for: b) == [.acknowledged(b, baseOffset: 5)])
    }

    /// OUT_OF_ORDER on the oldest unacknowledged batch when nothing failed: the broker lost
    /// acknowledged records. Report the gap, get a new producer id, renumber from 0.
    @Test func outOfOrderWithoutFailureIsALoss() throws {
        var state = State(producer: producer, nextSequences: [p0: 500, p1: 80])
        let a = try Self.sequence(&state, p0, 10)
        let b = try Self.sequence(&state, p0, 5)
        let c = try Self.sequence(&state, p1, 7)
        #expect(
            state.handle(.outOfOrderSequenceNumber, baseOffset: nil, for: a)
                == [.sequenceGap(p0, firstUnacknowledgedSequence: 500), .requestNewProducerId]
        )
        #expect(state.isAwaitingProducerId)
        #expect(state.nextBatch(for: p0, recordCount: 1) == nil)
        // Answers to the old transmissions change nothing while the new id is awaited.
        #expect(state.handle(.outOfOrderSequenceNumber, baseOffset: nil, for: b) == [])

        let fresh = ProducerIdentity(producerID: 8, epoch: 0)
        let actions = state.adopt(fresh)
        #expect(state.producer == fresh)
        #expect(!state.isAwaitingProducerId)
        let expected: [State.Batch] = [
            State.Batch(id: a.id, partition: p0, baseSequence: 0, recordCount: 10, attempt: 1),
            State.Batch(id: b.id, partition: p0, baseSequence: 10, recordCount: 5, attempt: 1),
            State.Batch(id: c.id, partition: p1, baseSequence: 0, recordCount: 7, attempt: 1),
        ]
        #expect(actions == [.resend(expected)])
        #expect(state.nextSequence(for: p0) == 15)
        #expect(state.nextSequence(for: p1) == 7)
        #expect(try Self.sequence(&state, p0, 1).baseSequence == 15)
    }

    /// OUT_OF_ORDER for a batch behind an unacknowledged one is part of that one's failure.
    @Test func outOfOrderBehindAnUnacknowledgedBatchResends() throws {
        var state = State(producer: producer)
        let a = try Self.sequence(&state, p0, 2)
        let b = try Self.sequence(&state, p0, 2)
        let actions = state.handle(.outOfOrderSequenceNumber, baseOffset: nil, for: b)
        #expect(
            actions == [
                .resend([
                    State.Batch(id: a.id, partition: p0, baseSequence: 0, recordCount: 2, attempt: 1),
                    State.Batch(id: b.id, partition: p0, baseSequence: 2, recordCount: 2, attempt: 1),
                ])
            ]
        )
    }

    /// After a failure, an OUT_OF_ORDER at the oldest batch earns one more resend; a second one
    /// with no success in between is a gap (no endless loop against a broker that lost data).
    @Test func outOfOrderAfterFailureResendsOnceThenReportsTheGap() throws {
        var state = State(producer: producer)
        let a = try Self.sequence(&state, p0, 4)
        guard case .resend(let first) = state.handle(storageError, baseOffset: nil, for: a).first else {
            Issue.record("expected a resend")
            return
        }
        guard case .resend(let second) = state.handle(.outOfOrderSequenceNumber, baseOffset: nil, for: first[0]).first
        else {
            Issue.record("expected a second resend")
            return
        }
        #expect(second[0].baseSequence == 0)
        #expect(second[0].attempt == 2)
        #expect(
            state.handle(.outOfOrderSequenceNumber, baseOffset: nil, for: second[0])
                == [.sequenceGap(p0, firstUnacknowledgedSequence: 0), .requestNewProducerId]
        )
    }

    /// A late success for a transmission that was already scheduled for resend still counts;
    /// the resend's own answer (a duplicate) is then ignored.
    @Test func staleSuccessAcknowledges() throws {
        var state = State(producer: producer)
        let a = try Self.sequence(&state, p0, 1)
        let b = try Self.sequence(&state, p0, 1)
        _ = state.handle(storageError, baseOffset: nil, for: a)
        let acknowledged = state.handle(.none, baseOffset: 9, for: b)
        #expect(
            acknowledged == [
                .acknowledged(
                    State.Batch(id: b.id, partition: p0, baseSequence: 1, recordCount: 1, attempt: 1),
                    baseOffset: 9
                )
            ]
        )
        var resentB = b
        resentB.attempt = 1
        #expect(state.handle(.duplicateSequenceNumber, baseOffset: nil, for: resentB) == [])
        #expect(state.unacknowledged(in: p0).map(\.id) == [a.id])
    }

    /// MESSAGE_TOO_LARGE can never succeed: the batch is rejected (its records are a counted
    /// loss) and the hole in the sequences needs a new producer id.
    @Test func refusedBatchIsRejectedAndTheRestRenumbered() throws {
        var state = State(producer: producer)
        let a = try Self.sequence(&state, p0, 3)
        let b = try Self.sequence(&state, p0, 3)
        #expect(
            state.handle(.messageTooLarge, baseOffset: nil, for: a) == [
                .rejected(a, .messageTooLarge), .requestNewProducerId,
            ]
        )
        #expect(state.handle(.outOfOrderSequenceNumber, baseOffset: nil, for: b) == [])
        #expect(
            state.adopt(ProducerIdentity(producerID: 9, epoch: 0))
                == [.resend([State.Batch(id: b.id, partition: p0, baseSequence: 0, recordCount: 3, attempt: 1)])]
        )
    }

    /// UNKNOWN_PRODUCER_ID: the broker forgot this producer; nothing is lost or rejected.
    @Test func unknownProducerAsksForANewId() throws {
        var state = State(producer: producer)
        let a = try Self.sequence(&state, p0, 3)
        #expect(state.handle(KafkaErrorCode(rawValue: 59), baseOffset: nil, for: a) == [.requestNewProducerId])
        #expect(state.handle(KafkaErrorCode(rawValue: 59), baseOffset: nil, for: a) == [])
        #expect(
            state.adopt(ProducerIdentity(producerID: 10, epoch: 0)) == [
                .resend([State.Batch(id: a.id, partition: p0, baseSequence: 0, recordCount: 3, attempt: 1)])
            ]
        )
    }

    /// A state restored from a checkpoint continues the sequences it was given (DESIGN §10.3).
    @Test func restoredStateContinuesSequences() throws {
        var state = State(producer: producer, nextSequences: [p0: 1234])
        #expect(state.firstUnacknowledgedSequence(for: p0) == 1234)
        #expect(try Self.sequence(&state, p0, 1).baseSequence == 1234)
        #expect(state.firstUnacknowledgedSequence(for: p1) == 0)
    }
}
