import NIOCore

/// ListOffsets request (key 2), v1–v2.
///
/// ```
/// replica_id int32 | [isolation_level int8  v2+]
/// | topics ARRAY<name STRING | partitions ARRAY<partition_index int32 | timestamp int64>>
/// ```
/// `timestamp` -2 asks for the log start offset, -1 for the log-end offset (high watermark), -3
/// for the record with the largest timestamp, anything else for the first offset whose record
/// timestamp is ≥ it (README §7).
public struct ListOffsetsRequest: KafkaRequestMessage {
    public typealias Response = ListOffsetsResponse
    public static let apiKey = ApiKey.listOffsets
    public static let versions: ClosedRange<Int16> = 1...2

    /// The special timestamp asking for the earliest offset.
    public static let earliestTimestamp: Int64 = -2
    /// The special timestamp asking for the latest offset.
    public static let latestTimestamp: Int64 = -1
    /// The special timestamp asking for the record with the largest timestamp (KIP-734; Kafka
    /// defines it from v7, but brokers read it at any version and librdkafka's
    /// `OffsetSpec.max_timestamp()` sends it at whatever version was negotiated).
    public static let maxTimestamp: Int64 = -3

    public struct Partition: Sendable, Equatable {
        public var partitionIndex: Int32
        public var timestamp: Int64

        public init(partitionIndex: Int32, timestamp: Int64) {
            self.partitionIndex = partitionIndex
            self.timestamp = timestamp
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

    public var replicaID: Int32
    /// v2+; 0 when absent.
    public var isolationLevel: Int8
    public var topics: [Topic]

    public init(replicaID: Int32 = -1, isolationLevel: Int8 = 0, topics: [Topic]) {
        self.replicaID = replicaID
        self.isolationLevel = isolationLevel
        self.topics = topics
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        replicaID = try buffer.readKafkaInteger("ListOffsetsRequest.replica_id")
        isolationLevel = version >= 2 ? try buffer.readKafkaInteger("ListOffsetsRequest.isolation_level") : 0
        topics = try buffer.readKafkaArray("ListOffsetsRequest.topics") {
            (topic: inout ByteBuffer) throws(KafkaProtocolError) in
            Topic(
                name: try topic.readKafkaString("ListOffsetsTopic.name"),
                partitions: try topic.readKafkaArray("ListOffsetsTopic.partitions") {
                    (partition: inout ByteBuffer) throws(KafkaProtocolError) in
                    Partition(
                        partitionIndex: try partition.readKafkaInteger("ListOffsetsPartition.partition_index"),
                        timestamp: try partition.readKafkaInteger("ListOffsetsPartition.timestamp")
                    )
                }
            )
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        buffer.writeInteger(replicaID)
        if version >= 2 { buffer.writeInteger(isolationLevel) }
        try buffer.writeKafkaArray(topics, "ListOffsetsRequest.topics") {
            (topic: Topic, out: inout ByteBuffer) throws(KafkaProtocolError) in
            try out.writeKafkaString(topic.name, "ListOffsetsTopic.name")
            try out.writeKafkaArray(topic.partitions, "ListOffsetsTopic.partitions") {
                (partition: Partition, out: inout ByteBuffer) throws(KafkaProtocolError) in
                out.writeInteger(partition.partitionIndex)
                out.writeInteger(partition.timestamp)
            }
        }
    }
}
