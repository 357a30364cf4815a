import KafkaProtocol
import NIOCore
import SegmentStore

extension RequestDispatcher {
    /// Produce: each partition's batches go through its ``PartitionProducers`` (idempotent
    /// producers de-duplicated and trimmed there, any codec stored as received, CRC-32C checked
    /// by the log), in request order on the storage executor.
    ///
    /// Acknowledgement follows the fsync policy: with fsync=ack the answer waits (outside the
    /// request chain, so later requests of the connection already append) until every partition
    /// is durable past the request's batches, sharing fsyncs with concurrent requests
    /// (``GroupCommit``); a failed fsync turns that partition's answer into KAFKA_STORAGE_ERROR.
    /// In the other modes the answer goes once appended. acks=0 gets no response at all (its
    /// appends are still synced with fsync=ack, so they become visible); other acks values than
    /// 0/1/-1 are refused with INVALID_REQUIRED_ACKS. A topic that does not exist is
    /// auto-created like in Metadata.
    func produce(_ request: KafkaRequest, on eventLoop: any EventLoop) throws -> DispatchOutcome {
        var body = request.body
        let decoded = try ProduceRequest(from: &body, version: request.header.apiVersion)
        let acksValid = decoded.acks == 0 || decoded.acks == 1 || decoded.acks == -1
        var topics: [ProduceResponse.Topic] = []
        var pending: [(topic: Int, partition: Int, log: PartitionLog, offset: Int64)] = []
        for topic in decoded.topics {
            let logs: Result<[PartitionLog], AnsweredError> =
                acksValid
                ? topicPartitions(topic.name, autoCreate: true) : .failure(AnsweredError(code: .invalidRequiredAcks))
            var partitions: [ProduceResponse.Partition] = []
            for partition in topic.partitions {
                switch logs {
                case .failure(let error):
                    if !acksValid { metrics.countError(error.code) }
                    partitions.append(
                        ProduceResponse.Partition(index: partition.index, errorCode: error.code, baseOffset: -1)
                    )
                case .success(let logs):
                    guard partition.index >= 0, Int(partition.index) < logs.count else {
                        partitions.append(
                            ProduceResponse.Partition(
                                index: partition.index,
                                errorCode: answered(.unknownTopicOrPartition),
                                baseOffset: -1
                            )
                        )
                        continue
                    }
                    let log = logs[Int(partition.index)]
                    let outcome = append(partition, to: log)
                    if let target = outcome.durableTarget, configuration.durability == .beforeAck {
                        pending.append((topics.count, partitions.count, log, target))
                    } else {
                        metrics.countError(outcome.errorCode)
                    }
                    partitions.append(
                        ProduceResponse.Partition(
                            index: partition.index,
                            errorCode: outcome.errorCode,
                            baseOffset: outcome.baseOffset,
                            logStartOffset: outcome.errorCode == .none ? log.logStartOffset : -1
                        )
                    )
                }
            }
            topics.append(ProduceResponse.Topic(name: topic.name, partitions: partitions))
        }
        let header = request.header
        if pending.isEmpty {
            guard decoded.expectsResponse else { return .noResponse }
            return .response(try frame(ProduceResponse(topics: topics), answering: header))
        }
        let answeredTopics = topics
        let waiting = pending
        let futures = pending.map { entry in
            let promise = eventLoop.makePromise(of: Int64.self)
            node.groupCommit.waitUntilDurable(
                entry.log,
                through: entry.offset,
                executor: executor,
                eventLoop: eventLoop
            ) { promise.completeWith($0) }
            return promise.futureResult
        }
        let answer = EventLoopFuture.whenAllComplete(futures, on: eventLoop).flatMapThrowing { results in
            var topics = answeredTopics
            for (entry, result) in zip(waiting, results) {
                if case .failure(let error) = result {
                    self.logger.error("fsync failed; produce not acknowledged", metadata: ["error": "\(error)"])
                    topics[entry.topic].partitions[entry.partition].errorCode = .kafkaStorageError
                    topics[entry.topic].partitions[entry.partition].baseOffset = -1
                }
                self.metrics.countError(topics[entry.topic].partitions[entry.partition].errorCode)
            }
            return try self.frame(ProduceResponse(topics: topics), answering: header)
        }
        guard decoded.expectsResponse else { return .noResponse }
        return .held(answer)
    }

    private func append(_ partition: ProduceRequest.Partition, to log: PartitionLog) -> PartitionAppendOutcome {
        guard let records = partition.records, records.readableBytes > 0 else {
            return .failed(.corruptMessage)
        }
        // A batch over the limit is well-formed, just too big: the client must split it, so it
        // needs MESSAGE_TOO_LARGE, not CORRUPT_MESSAGE (which says "resend the same bytes").
        if Self.largestBatchBytes(in: records) > configuration.maxBatchBytes {
            return .failed(.messageTooLarge)
        }
        let outcome = node.producers.producers(of: log).append(records)
        if outcome.storedRecords > 0 {
            if !configuration.durability.exposesOnlyDurableOffsets { node.waiters.appended(to: log) }
            metrics.produceBytes.increment(by: Int64(outcome.storedBytes))
            metrics.produceRecords.increment(by: outcome.storedRecords)
        }
        return outcome
    }
}

extension RequestDispatcher {
    /// The size of the largest whole batch in `records`, read from each batch's length field
    /// (bytes 8..<12, big-endian, counting the bytes after it). A truncated tail counts as its
    /// declared size; validating it is the log's job.
    static func largestBatchBytes(in records: ByteBuffer) -> Int {
        var position = records.readerIndex
        var largest = 0
        while let length = records.getInteger(at: position + 8, as: Int32.self) {
            let total = 12 + Int(max(length, 0))
            largest = max(largest, total)
            position += total
            if length <= 0 { break }
        }
        return largest
    }
}
