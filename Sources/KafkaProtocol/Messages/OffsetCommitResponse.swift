import NIOCore

/// OffsetCommit response (key 8), v2–v3.
///
/// ```
/// [throttle_time_ms int32  v3+]
/// | topics ARRAY<name STRING | partitions ARRAY<partition_index int32 | error_code int16>>
/// ```
public struct OffsetCommitResponse: KafkaResponseMessage {
    public static let apiKey = ApiKey.offsetCommit
    public static let versions: ClosedRange<Int16> = 2...3

    public struct Partition: Sendable, Equatable {
        public var partitionIndex: Int32
        public var errorCode: KafkaErrorCode

        public init(partitionIndex: Int32, errorCode: KafkaErrorCode = .none) {
            self.partitionIndex = partitionIndex
            self.errorCode = errorCode
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

    /// v3+.
    public var throttleTimeMs: Int32
    public var topics: [Topic]

    public init(throttleTimeMs: Int32 = 0, topics: [Topic]) {
        self.throttleTimeMs = throttleTimeMs
        self.topics = topics
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        throttleTimeMs = version >= 3 ? try buffer.readKafkaInteger("OffsetCommitResponse.throttle_time_ms") : 0
        topics = try buffer.readKafkaArray("OffsetCommitResponse.topics") {
            (topic: inout ByteBuffer) throws(KafkaProtocolError) in
            Topic(
                name: try topic.readKafkaString("OffsetCommitResponseTopic.name"),
                partitions: try topic.readKafkaArray("OffsetCommitResponseTopic.partitions") {
                    (partition: inout ByteBuffer) throws(KafkaProtocolError) in
                    Partition(
                        partitionIndex: try partition.readKafkaInteger("OffsetCommitResponsePartition.partition_index"),
                        errorCode: KafkaErrorCode(
                            rawValue: try partition.readKafkaInteger("OffsetCommitResponsePartition.error_code")
                        )
                    )
                }
            )
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        if version >= 3 { buffer.writeInteger(throttleTimeMs) }
        try buffer.writeKafkaArray(topics, "OffsetCommitResponse.topics") {
            (topic: Topic, out: inout ByteBuffer) throws(KafkaProtocolError) in
            try out.writeKafkaString(topic.name, "OffsetCommitResponseTopic.name")
            try out.writeKafkaArray(topic.partitions, "OffsetCommitResponseTopic.partitions") {
                (partition: Partition, out: inout ByteBuffer) throws(KafkaProtocolError) in
                out.writeInteger(partition.partitionIndex)
                out.writeInteger(partition.errorCode.rawValue)
            }
        }
    }
}
