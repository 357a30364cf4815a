import KafkaProtocol
import SegmentStore
import NIOCore

extension RequestDispatcher {
    /// ListOffsets: -2 → the log start, -1 → the high watermark (the durable end with fsync=ack),
    /// -3 → the first record holding the largest timestamp (KIP-734), any other timestamp → the
    /// first record (in offset order) whose timestamp is at or after it, with that record's
    /// timestamp, or offset -1 when there is none (README §7). The time index finds the batch
    /// (the first whose max timestamp is at or after the target); the batch is then read record
    /// by record, as Kafka does.
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
                    case ListOffsetsRequest.maxTimestamp:
                        // Was read as "at or after -3", which answered the log start.
                        offset = -1
                        if let found = try recordWithMaxTimestamp(in: target) { (offset, timestamp) = found }
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
                switch firstRecord(in: batch, below: highWatermark, codec: &codec, where: { $0 >= timestamp }) {
                case .found(let offset, let recordTimestamp): return (offset, recordTimestamp)
                case .unreadable: return (batch.header.baseOffset, -1)
                case .none: break
                }
            }
            next = batch.header.nextOffset
        }
        return (next, -1)
    }

    /// The offset and timestamp of the first record below the high watermark that holds the
    /// partition's largest timestamp (ListOffsets -3, KIP-734), `nil` when nothing is readable.
    /// Only the batch headers are scanned, from the first segment holding the largest batch max
    /// timestamp on (Kafka looks in that segment); the batch with the largest max timestamp (the
    /// first of equals) is then read record by record. A batch whose records carry no timestamp
    /// equal to its header's max, or cannot be read, answers with its last offset (Kafka's
    /// answer before KAFKA-16310).
    func recordWithMaxTimestamp(in partition: Partition) throws -> (offset: Int64, timestamp: Int64)? {
        let highWatermark = partition.highWatermark
        let segments = partition.log.segments.filter { $0.baseOffset < highWatermark && $0.maxTimestamp != nil }
        var start: PartitionLog.SegmentSummary?
        for segment in segments where (segment.maxTimestamp ?? .min) > (start?.maxTimestamp ?? .min) { start = segment }
        guard let start else { return nil }
        var best: (baseOffset: Int64, maxTimestamp: Int64)?
        try partition.log.forEachBatchHeader(from: start.baseOffset) { header in
            let largest = best?.maxTimestamp ?? .min
            guard header.baseOffset < highWatermark && header.maxTimestamp > largest else { return }
            best = (header.baseOffset, header.maxTimestamp)
        }
        guard let best else { return nil }
        let bytes = try partition.log.read(from: best.baseOffset, maxBytes: 1, upTo: highWatermark)
        var buffer = ByteBuffer(bytes: bytes)
        guard let header = try? RecordBatchHeader(buffer), let first = buffer.readSlice(length: header.totalByteCount),
            let batch = try? RecordBatch(trustingChecksumOf: first)
        else { return (best.baseOffset, best.maxTimestamp) }
        var codec: LZ4RecordsCodec?
        switch firstRecord(in: batch, below: highWatermark, codec: &codec, where: { $0 == best.maxTimestamp }) {
        case .found(let offset, let timestamp): return (offset, timestamp)
        case .unreadable, .none: return (min(batch.header.lastOffset, highWatermark - 1), best.maxTimestamp)
        }
    }

    /// What ``firstRecord(in:below:codec:where:)`` found in one batch.
    enum RecordSearch {
        case found(offset: Int64, timestamp: Int64)
        /// No record below the high watermark matched.
        case none
        /// The records could not be read (a codec the broker does not decompress).
        case unreadable
    }

    /// The first record of `batch` below `highWatermark` whose timestamp satisfies `matches`; a
    /// batch with log-append time answers with its first record and the batch's timestamp.
    /// `codec` is created on first need and kept for the caller's next batch.
    func firstRecord(
        in batch: RecordBatch,
        below highWatermark: Int64,
        codec: inout LZ4RecordsCodec?,
        where matches: (Int64) -> Bool
    ) -> RecordSearch {
        if batch.header.hasLogAppendTime {
            return matches(batch.header.maxTimestamp)
                ? .found(offset: batch.header.baseOffset, timestamp: batch.header.maxTimestamp) : .none
        }
        var found: (offset: Int64, timestamp: Int64)?
        do {
            if batch.header.compressionCodecID != RecordCompression.none.rawValue, codec == nil {
                codec = try LZ4RecordsCodec()
            }
            try batch.forEachRecord(decompressingWith: codec) { record in
                if found == nil, matches(record.timestamp), record.offset < highWatermark {
                    found = (record.offset, record.timestamp)
                }
            }
        } catch {
            return .unreadable
        }
        guard let found else { return .none }
        return .found(offset: found.offset, timestamp: found.timestamp)
    }

    /// Most batches one ListOffsets-by-time reads past the one the time index named.
    static let maxBatchesRead = 1000
}
