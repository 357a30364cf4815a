import KafkaProtocol
import NIOCore

extension RequestDispatcher {
    /// ListOffsets: -2 → the log start, -1 → the high watermark (the durable end with fsync=ack), any
    /// other timestamp → the base offset of the first batch whose max timestamp is at or after
    /// it, or -1 when there is none (README §7). The answered timestamp is -1: the index works
    /// at batch granularity and clients use the offset.
    func listOffsets(_ request: KafkaRequest) throws -> DispatchOutcome {
        var body = request.body
        let decoded = try ListOffsetsRequest(from: &body, version: request.header.apiVersion)
        var topics: [ListOffsetsResponse.Topic] = []
        for topic in decoded.topics {
            let partitions = topic.partitions.map { partition in
                guard let target = node.catalog.partition(topic.name, partition.partitionIndex) else {
                    return ListOffsetsResponse.Partition(
                        partitionIndex: partition.partitionIndex,
                        errorCode: answered(.unknownTopicOrPartition),
                        offset: -1
                    )
                }
                do {
                    let offset: Int64
                    switch partition.timestamp {
                    case ListOffsetsRequest.earliestTimestamp: offset = target.log.logStartOffset
                    case ListOffsetsRequest.latestTimestamp: offset = target.highWatermark
                    default:
                        // Not past the high watermark: an offset a consumer could not read yet
                        // is as good as none.
                        let found = try target.log.offset(forTimestamp: partition.timestamp)
                        offset = found.map { $0 < target.highWatermark ? $0 : -1 } ?? -1
                    }
                    return ListOffsetsResponse.Partition(partitionIndex: partition.partitionIndex, offset: offset)
                } catch {
                    logger.error("offset lookup failed", metadata: ["topic": "\(topic.name)", "error": "\(error)"])
                    return ListOffsetsResponse.Partition(
                        partitionIndex: partition.partitionIndex,
                        errorCode: answered(.kafkaStorageError),
                        offset: -1
                    )
                }
            }
            topics.append(ListOffsetsResponse.Topic(name: topic.name, partitions: partitions))
        }
        return .response(try frame(ListOffsetsResponse(topics: topics), answering: request.header))
    }
}
