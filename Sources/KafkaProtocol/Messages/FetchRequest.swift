import NIOCore

/// Fetch request (key 1), v4–v6. Kept at ≤ 6 on purpose: v7 starts incremental fetch sessions
/// (KIP-227), which kafka-python would then use (README §3).
///
/// ```
/// replica_id int32 | max_wait_ms int32 | min_bytes int32 | max_bytes int32 | isolation_level int8
/// | topics ARRAY<topic STRING
///     | partitions ARRAY<partition int32 | fetch_offset int64 | [log_start_offset int64  v5+]
///                        | partition_max_bytes int32>>
/// ```
public struct FetchRequest: KafkaRequestMessage {
    public typealias Response = FetchResponse
    public static let apiKey = ApiKey.fetch
    public static let versions: ClosedRange<Int16> = 4...6

    public struct Partition: Sendable, Equatable {
        public var partition: Int32
        public var fetchOffset: Int64
        /// v5+, meaningful only from follower replicas; -1 from consumers.
        public var logStartOffset: Int64
        public var partitionMaxBytes: Int32

        public init(partition: Int32, fetchOffset: Int64, logStartOffset: Int64 = -1, partitionMaxBytes: Int32) {
            self.partition = partition
            self.fetchOffset = fetchOffset
            self.logStartOffset = logStartOffset
            self.partitionMaxBytes = partitionMaxBytes
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

    /// -1 for consumers.
    public var replicaID: Int32
    /// How long the broker may hold the request when fewer than ``minBytes`` are available.
    public var maxWaitMs: Int32
    public var minBytes: Int32
    public var maxBytes: Int32
    /// 0 read_uncommitted, 1 read_committed (librdkafka's default).
    public var isolationLevel: Int8
    public var topics: [Topic]

    public init(
        replicaID: Int32 = -1,
        maxWaitMs: Int32,
        minBytes: Int32,
        maxBytes: Int32 = .max,
        isolationLevel: Int8 = 0,
        topics: [Topic]
    ) {
        self.replicaID = replicaID
        self.maxWaitMs = maxWaitMs
        self.minBytes = minBytes
        self.maxBytes = maxBytes
        self.isolationLevel = isolationLevel
        self.topics = topics
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        replicaID = try buffer.readKafkaInteger("FetchRequest.replica_id")
        maxWaitMs = try buffer.readKafkaInteger("FetchRequest.max_wait_ms")
        minBytes = try buffer.readKafkaInteger("FetchRequest.min_bytes")
        maxBytes = try buffer.readKafkaInteger("FetchRequest.max_bytes")
        isolationLevel = try buffer.readKafkaInteger("FetchRequest.isolation_level")
        topics = try buffer.readKafkaArray("FetchRequest.topics") {
            (topic: inout ByteBuffer) throws(KafkaProtocolError) in
            Topic(
                name: try topic.readKafkaString("FetchTopic.topic"),
                partitions: try topic.readKafkaArray("FetchTopic.partitions") {
                    (partition: inout ByteBuffer) throws(KafkaProtocolError) in
                    Partition(
                        partition: try partition.readKafkaInteger("FetchPartition.partition"),
                        fetchOffset: try partition.readKafkaInteger("FetchPartition.fetch_offset"),
                        logStartOffset: version >= 5
                            ? try partition.readKafkaInteger("FetchPartition.log_start_offset") : -1,
                        partitionMaxBytes: try partition.readKafkaInteger("FetchPartition.partition_max_bytes")
                    )
                }
            )
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        buffer.writeInteger(replicaID)
        buffer.writeInteger(maxWaitMs)
        buffer.writeInteger(minBytes)
        buffer.writeInteger(maxBytes)
        buffer.writeInteger(isolationLevel)
        try buffer.writeKafkaArray(topics, "FetchRequest.topics") {
            (topic: Topic, out: inout ByteBuffer) throws(KafkaProtocolError) in
            try out.writeKafkaString(topic.name, "FetchTopic.topic")
            try out.writeKafkaArray(topic.partitions, "FetchTopic.partitions") {
                (partition: Partition, out: inout ByteBuffer) throws(KafkaProtocolError) in
                out.writeInteger(partition.partition)
                out.writeInteger(partition.fetchOffset)
                if version >= 5 { out.writeInteger(partition.logStartOffset) }
                out.writeInteger(partition.partitionMaxBytes)
            }
        }
    }
}
