import KafkaProtocol
import NIOCore

extension RequestDispatcher {
    /// ListOffsets: -2 → the log start, -1 → the high watermark (the durable end with fsync=ack), any
    /// other timestamp → the first record (in offset order) whose timestamp is at or after it,
    /// with that record's timestamp, or offset -1 when there is none (README §7). The time index
    /// finds the batch (the first whose max timestamp is at or after the target); the batch is
    /// then read record by record, as Kafka does.
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
                guard leads(partition.partitionIndex) else {
                    return ListOffsetsResponse.Partition(
                        partitionIndex: partition.partitionIndex, errorCode: answered(.notLeaderOrFollower), offset: -1)
                }
                do {
                    var offset: Int64
                    var timestamp: Int64 = -1
                    switch partition.timestamp {
                    case ListOffsetsRequest.earliestTimestamp: offset = target.log.logStartOffset
                    case ListOffsetsRequest.latestTimestamp: offset = target.highWatermark
                    default:
                        offset = -1
                        if let found = try firstRecord(atOrAfter: partition.timestamp, in: target) {
                            (offset, timestamp) = found
                        }
                    }
                    return ListOffsetsResponse.Partition(
                        partitionIndex: partition.partitionIndex, timestamp: timestamp, offset: offset)
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

    /// The offset and timestamp of the first record at or after `timestamp` below the high
    /// watermark (an offset a consumer could not read yet is as good as none). The time index
    /// names the first batch whose max timestamp is at or after the target; its records are
    /// read, then the following batches' while none matches (a producer may write a max
    /// timestamp its records do not have), up to `maxBatchesRead`. A batch whose records cannot
    /// be read (a codec the broker does not decompress) answers with its base offset, the
    /// batch-granularity answer.
    func firstRecord(atOrAfter timestamp: Int64, in partition: Partition) throws -> (offset: Int64, timestamp: Int64)? {
        let highWatermark = partition.highWatermark
        guard var next = try partition.log.offset(forTimestamp: timestamp), next < highWatermark else { return nil }
        var codec: LZ4RecordsCodec?
        for _ in 0..<Self.maxBatchesRead {
            guard next < highWatermark else { return nil }
            let bytes = try partition.log.read(from: next, maxBytes: 1, upTo: highWatermark)
            var buffer = ByteBuffer(bytes: bytes)
            guard let header = try? RecordBatchHeader(buffer), let first = buffer.readSlice(length: header.totalByteCount),
                let batch = try? RecordBatch(trustingChecksumOf: first)
            else { return (next, -1) }
            if batch.header.maxTimestamp >= timestamp {
                if batch.header.hasLogAppendTime { return (batch.header.baseOffset, batch.header.maxTimestamp) }
                var found: (offset: Int64, timestamp: Int64)?
                do {
                    if batch.header.compressionCodecID != RecordCompression.none.rawValue, codec == nil {
                        codec = try LZ4RecordsCodec()
                    }
                    try batch.forEachRecord(decompressingWith: codec) { record in
                        if found == nil, record.timestamp >= timestamp, record.offset < highWatermark {
                            found = (record.offset, record.timestamp)
                        }
                    }
                } catch {
                    return (batch.header.baseOffset, -1)
                }
                if let found { return found }
            }
            next = batch.header.nextOffset
        }
        return (next, -1)
    }

    /// Most batches one ListOffsets-by-time reads past the one the time index named.
    static let maxBatchesRead = 1000
}
