import NIOCore

/// Fetch response (key 1), v4–v11, all non-flexible (v6 = v5 on the wire, v8–v10 = v7).
///
/// ```
/// throttle_time_ms int32 | [error_code int16 | session_id int32  v7+]
/// | responses ARRAY<topic STRING
///     | partitions ARRAY<partition_index int32 | error_code int16 | high_watermark int64
///                        | last_stable_offset int64 | [log_start_offset int64  v5+]
///                        | aborted_transactions NULLABLE_ARRAY<producer_id int64 | first_offset int64>
///                        | [preferred_read_replica int32  v11+]
///                        | records NULLABLE_RECORDS>>
/// ```
/// Serve ``Partition/lastStableOffset`` = ``Partition/highWatermark`` (librdkafka reads
/// committed by default and would otherwise hide data) and whole batches only (README §7).
public struct FetchResponse: KafkaResponseMessage {
    public static let apiKey = ApiKey.fetch
    public static let versions: ClosedRange<Int16> = 4...11

    public struct AbortedTransaction: Sendable, Equatable {
        public var producerID: Int64
        public var firstOffset: Int64

        public init(producerID: Int64, firstOffset: Int64) {
            self.producerID = producerID
            self.firstOffset = firstOffset
        }
    }

    public struct Partition: Sendable, Equatable {
        public var partitionIndex: Int32
        public var errorCode: KafkaErrorCode
        public var highWatermark: Int64
        public var lastStableOffset: Int64
        /// v5+; -1 when absent.
        public var logStartOffset: Int64
        public var abortedTransactions: [AbortedTransaction]?
        /// v11+ (KIP-392): the replica the consumer should fetch from instead; -1, "this one",
        /// is all a single-replica broker answers.
        public var preferredReadReplica: Int32
        /// Zero or more whole RecordBatches back to back; a slice of the frame when decoded.
        public var records: ByteBuffer?

        public init(
            partitionIndex: Int32,
            errorCode: KafkaErrorCode = .none,
            highWatermark: Int64,
            lastStableOffset: Int64,
            logStartOffset: Int64 = -1,
            abortedTransactions: [AbortedTransaction]? = nil,
            preferredReadReplica: Int32 = -1,
            records: ByteBuffer?
        ) {
            self.partitionIndex = partitionIndex
            self.errorCode = errorCode
            self.highWatermark = highWatermark
            self.lastStableOffset = lastStableOffset
            self.logStartOffset = logStartOffset
            self.abortedTransactions = abortedTransactions
            self.preferredReadReplica = preferredReadReplica
            self.records = records
        }
    }

    public struct Topic: Sendable, Equatable {
        public var name: String
        public var partitions: [Partition]

        public init(name: String, partitions: [Partition]) {
            self.name = name
            self.partitions = partitions
        }
    }

    public var throttleTimeMs: Int32
    /// v7+: a whole-request error, a fetch-session one (FETCH_SESSION_ID_NOT_FOUND and the like)
    /// with no topics; ``KafkaErrorCode/none`` below v7.
    public var errorCode: KafkaErrorCode
    /// v7+: the fetch session the client is in; 0 (``FetchRequest/noSessionID``) for none, the
    /// only value this broker sends, and below v7.
    public var sessionID: Int32
    public var topics: [Topic]

    public init(
        throttleTimeMs: Int32 = 0,
        errorCode: KafkaErrorCode = .none,
        sessionID: Int32 = FetchRequest.noSessionID,
        topics: [Topic]
    ) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
        self.sessionID = sessionID
        self.topics = topics
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        throttleTimeMs = try buffer.readKafkaInteger("FetchResponse.throttle_time_ms")
        errorCode =
            version >= 7 ? KafkaErrorCode(rawValue: try buffer.readKafkaInteger("FetchResponse.error_code")) : .none
        sessionID = version >= 7 ? try buffer.readKafkaInteger("FetchResponse.session_id") : FetchRequest.noSessionID
        topics = try buffer.readKafkaArray("FetchResponse.responses") {
            (topic: inout ByteBuffer) throws(KafkaProtocolError) in
            Topic(
                name: try topic.readKafkaString("FetchableTopicResponse.topic"),
                partitions: try topic.readKafkaArray("FetchableTopicResponse.partitions") {
                    (partition: inout ByteBuffer) throws(KafkaProtocolError) in
                    try Partition(from: &partition, version: version)
                }
            )
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        buffer.writeInteger(throttleTimeMs)
        if version >= 7 {
            buffer.writeInteger(errorCode.rawValue)
            buffer.writeInteger(sessionID)
        }
        try buffer.writeKafkaArray(topics, "FetchResponse.responses") {
            (topic: Topic, out: inout ByteBuffer) throws(KafkaProtocolError) in
            try out.writeKafkaString(topic.name, "FetchableTopicResponse.topic")
            try out.writeKafkaArray(topic.partitions, "FetchableTopicResponse.partitions") {
                (partition: Partition, out: inout ByteBuffer) throws(KafkaProtocolError) in
                try partition.encode(into: &out, version: version)
            }
        }
    }
}

extension FetchResponse.Partition {
    fileprivate init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        partitionIndex = try buffer.readKafkaInteger("PartitionData.partition_index")
        errorCode = KafkaErrorCode(rawValue: try buffer.readKafkaInteger("PartitionData.error_code"))
        highWatermark = try buffer.readKafkaInteger("PartitionData.high_watermark")
        lastStableOffset = try buffer.readKafkaInteger("PartitionData.last_stable_offset")
        logStartOffset = version >= 5 ? try buffer.readKafkaInteger("PartitionData.log_start_offset") : -1
        abortedTransactions = try buffer.readKafkaNullableArray("PartitionData.aborted_transactions") {
            (aborted: inout ByteBuffer) throws(KafkaProtocolError) in
            FetchResponse.AbortedTransaction(
                producerID: try aborted.readKafkaInteger("AbortedTransaction.producer_id"),
                firstOffset: try aborted.readKafkaInteger("AbortedTransaction.first_offset")
            )
        }
        preferredReadReplica =
            version >= 11 ? try buffer.readKafkaInteger("PartitionData.preferred_read_replica") : -1
        records = try buffer.readKafkaNullableBytes("PartitionData.records")
    }

    fileprivate func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        buffer.writeInteger(partitionIndex)
        buffer.writeInteger(errorCode.rawValue)
        buffer.writeInteger(highWatermark)
        buffer.writeInteger(lastStableOffset)
        if version >= 5 { buffer.writeInteger(logStartOffset) }
        try buffer.writeKafkaNullableArray(abortedTransactions, "PartitionData.aborted_transactions") {
            (aborted: FetchResponse.AbortedTransaction, out: inout ByteBuffer) throws(KafkaProtocolError) in
            out.writeInteger(aborted.producerID)
            out.writeInteger(aborted.firstOffset)
        }
        if version >= 11 { buffer.writeInteger(preferredReadReplica) }
        try buffer.writeKafkaNullableBytes(records, "PartitionData.records")
    }
}
