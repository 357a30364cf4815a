import KafkaProtocol
import NIOCore

/// A Produce being answered: the response as far as it is known, and the partitions whose
/// answer waits until their log is durable.
private struct ProduceAnswer: Sendable {
    /// One partition answer that waits for an fsync (fsync=ack).
    struct DurabilityWait: Sendable {
        /// Where the partition's answer sits in ``ProduceAnswer/topics``.
        var topic: Int
        var partition: Int
        var target: Partition
        /// Answered once the log is durable through here.
        var offset: Int64
    }

    var topics: [ProduceResponse.Topic] = []
    var waits: [DurabilityWait] = []
}

extension RequestDispatcher {
    /// Produce: each partition's batches go to its ``Partition`` (idempotent producers
    /// de-duplicated and trimmed there, any codec stored as received, CRC-32C checked by the
    /// log), in request order on the storage executor.
    ///
    /// Acknowledgement follows the fsync policy: with fsync=ack the answer waits (outside the
    /// request chain, so later requests of the connection already append) until every partition
    /// is durable past the request's batches, sharing fsyncs with concurrent requests
    /// (``GroupCommit``); a failed fsync turns that partition's answer into KAFKA_STORAGE_ERROR.
    /// In the other modes the answer goes once appended. acks=0 gets no response at all (its
    /// appends are still synced with fsync=ack, so they become visible), or its connection
    /// closed when a partition failed (``unanswered(_:)``); other acks values than
    /// 0/1/-1 are refused with INVALID_REQUIRED_ACKS. A topic that does not exist is
    /// auto-created like in Metadata.
    func produce(_ request: KafkaRequest, on eventLoop: any EventLoop) throws -> DispatchOutcome {
        var body = request.body
        let decoded = try ProduceRequest(from: &body, version: request.header.apiVersion)
        let acksValid = decoded.acks == 0 || decoded.acks == 1 || decoded.acks == -1
        var answer = ProduceAnswer()
        for topic in decoded.topics {
            let partitions: Result<[Partition], AnsweredError> =
                acksValid
                ? topicPartitions(topic.name, autoCreate: true) : .failure(AnsweredError(code: .invalidRequiredAcks))
            var answers: [ProduceResponse.Partition] = []
            for partition in topic.partitions {
                let (partitionAnswer, wait) = produce(partition, to: partitions, acksValid: acksValid)
                if let wait {
                    answer.waits.append(.init(topic: answer.topics.count, partition: answers.count, target: wait.0, offset: wait.1))
                }
                answers.append(partitionAnswer)
            }
            answer.topics.append(ProduceResponse.Topic(name: topic.name, partitions: answers))
        }
        if answer.waits.isEmpty {
            guard decoded.expectsResponse else { return Self.unanswered(answer) }
            return .response(try frame(ProduceResponse(topics: answer.topics), answering: request.header))
        }
        let response = respondOnceDurable(answer, answering: request.header, on: eventLoop)
        guard decoded.expectsResponse else { return Self.unanswered(answer) }
        return .held(response)
    }

    /// acks=0: no response, or — when a partition failed at once (not its leader, unknown,
    /// refused) — the connection closed, the only signal such a producer gets. (A failed fsync
    /// is known only later and stays silent, counted in the metrics.)
    private static func unanswered(_ answer: ProduceAnswer) -> DispatchOutcome {
        let failed = answer.topics.flatMap { topic in
            topic.partitions.filter { $0.errorCode != .none }.map { "\(topic.name)[\($0.index)]: \($0.errorCode)" }
        }
        guard !failed.isEmpty else { return .noResponse }
        return .close("Produce with acks=0 failed for \(failed.joined(separator: ", "))")
    }

    /// One partition's part of the request: its answer, and — with fsync=ack, when it
    /// appended — the partition and offset the answer must wait for.
    private func produce(
        _ partition: ProduceRequest.Partition,
        to lookup: Result<[Partition], AnsweredError>,
        acksValid: Bool
    ) -> (ProduceResponse.Partition, (Partition, Int64)?) {
        let partitions: [Partition]
        switch lookup {
        case .failure(let error):
            // A topic-level failure was counted once by the lookup; refused acks count per partition.
            if !acksValid { metrics.countError(error.code) }
            return (ProduceResponse.Partition(index: partition.index, errorCode: error.code, baseOffset: -1), nil)
        case .success(let found):
            partitions = found
        }
        guard partition.index >= 0, Int(partition.index) < partitions.count else {
            let code = answered(.unknownTopicOrPartition)
            return (ProduceResponse.Partition(index: partition.index, errorCode: code, baseOffset: -1), nil)
        }
        guard leads(partition.index) else {
            let code = answered(.notLeaderOrFollower)
            return (ProduceResponse.Partition(index: partition.index, errorCode: code, baseOffset: -1), nil)
        }
        let target = partitions[Int(partition.index)]
        let outcome: PartitionAppendOutcome
        if let records = partition.records, records.readableBytes > 0 {
            outcome = target.append(records)
        } else {
            outcome = .failed(.corruptMessage)
        }
        let answer = ProduceResponse.Partition(
            index: partition.index,
            errorCode: outcome.errorCode,
            baseOffset: outcome.baseOffset,
            logStartOffset: outcome.errorCode == .none ? target.log.logStartOffset : -1
        )
        if let offset = outcome.durableTarget, configuration.durability == .beforeAck {
            return (answer, (target, offset))  // counted once the wait is over
        }
        metrics.countError(outcome.errorCode)
        return (answer, nil)
    }

    /// The response frame once every waiting partition is durable (group commit); a partition
    /// whose sync failed is answered KAFKA_STORAGE_ERROR.
    private func respondOnceDurable(
        _ answer: ProduceAnswer,
        answering header: RequestHeader,
        on eventLoop: any EventLoop
    ) -> EventLoopFuture<ByteBuffer> {
        let durable = answer.waits.map { wait in
            let promise = eventLoop.makePromise(of: Int64.self)
            wait.target.waitUntilDurable(through: wait.offset, executor: executor, eventLoop: eventLoop) {
                promise.completeWith($0)
            }
            return promise.futureResult
        }
        return EventLoopFuture.whenAllComplete(durable, on: eventLoop).flatMapThrowing { results in
            var topics = answer.topics
            for (wait, result) in zip(answer.waits, results) {
                if case .failure(let error) = result {
                    self.logger.error("fsync failed; produce not acknowledged", metadata: ["error": "\(error)"])
                    topics[wait.topic].partitions[wait.partition].errorCode = .kafkaStorageError
                    topics[wait.topic].partitions[wait.partition].baseOffset = -1
                }
                self.metrics.countError(topics[wait.topic].partitions[wait.partition].errorCode)
            }
            return try self.frame(ProduceResponse(topics: topics), answering: header)
        }
    }
}
