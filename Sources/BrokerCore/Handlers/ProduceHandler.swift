import KafkaProtocol
import NIOCore
import SegmentStore

extension RequestDispatcher {
    /// Produce: appends each partition's batches as received (any codec; offsets assigned, CRC-32C
    /// checked by the partition log's validator, nothing stored when a batch fails), then wakes
    /// the fetches waiting on that partition.
    ///
    /// acks 0/1/-1 are all answered once the batches are in the page cache (the fsync-before-ack
    /// policy comes with issue 5); acks=0 gets no response at all, other acks values are refused
    /// with INVALID_REQUIRED_ACKS. A topic that does not exist is auto-created like in Metadata.
    func produce(_ request: KafkaRequest) throws -> DispatchOutcome {
        var body = request.body
        let decoded = try ProduceRequest(from: &body, version: request.header.apiVersion)
        let acksValid = decoded.acks == 0 || decoded.acks == 1 || decoded.acks == -1
        var topics: [ProduceResponse.Topic] = []
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
                    partitions.append(append(partition, to: logs[Int(partition.index)], topic: topic.name))
                }
            }
            topics.append(ProduceResponse.Topic(name: topic.name, partitions: partitions))
        }
        guard decoded.expectsResponse else { return .noResponse }
        return .response(try frame(ProduceResponse(topics: topics), answering: request.header))
    }

    private func append(_ partition: ProduceRequest.Partition, to log: PartitionLog, topic: String)
        -> ProduceResponse.Partition
    {
        guard let records = partition.records, records.readableBytes > 0 else {
            return ProduceResponse.Partition(
                index: partition.index,
                errorCode: answered(.corruptMessage),
                baseOffset: -1
            )
        }
        do {
            let (baseOffset, lastOffset) = try records.withUnsafeReadableBytes { try log.append($0) }
            node.waiters.appended(to: log)
            metrics.produceBytes.increment(by: Int64(records.readableBytes))
            metrics.produceRecords.increment(by: lastOffset - baseOffset + 1)
            return ProduceResponse.Partition(
                index: partition.index,
                baseOffset: baseOffset,
                logStartOffset: log.logStartOffset
            )
        } catch let error as StorageError {
            let code: KafkaErrorCode
            if error.code == .invalidBatch {
                code = .corruptMessage
                logger.debug("rejected a produced batch", metadata: ["topic": "\(topic)", "error": "\(error)"])
            } else {
                code = .kafkaStorageError
                logger.error("append failed", metadata: ["topic": "\(topic)", "error": "\(error)"])
            }
            return ProduceResponse.Partition(index: partition.index, errorCode: answered(code), baseOffset: -1)
        } catch {
            logger.error("append failed", metadata: ["topic": "\(topic)", "error": "\(error)"])
            return ProduceResponse.Partition(
                index: partition.index,
                errorCode: answered(.unknownServerError),
                baseOffset: -1
            )
        }
    }
}
