import NIOCore

/// ListOffsets response (key 2), v1–v2.
///
/// ```
/// [throttle_time_ms int32  v2+]
/// | topics ARRAY<name STRING
///     | partitions ARRAY<partition_index int32 | error_code int16 | timestamp int64 | offset int64>>
/// ```
public struct ListOffsetsResponse: KafkaResponseMessage {
    public static let apiKey = ApiKey.listOffsets
    public static let versions: ClosedRange<Int16> = 1...2

    public struct Partition: Sendable, Equatable {
        public var partitionIndex: Int32
        public var errorCode: KafkaErrorCode
        /// -1 when answering the special timestamps -1/-2.
        public var timestamp: Int64
        /// -1 when no record has a timestamp ≥ the one asked for.
        public var offset: Int64

        public init(partitionIndex: Int32, errorCode: KafkaErrorCode = .none, timestamp: Int64 = -1, offset: Int64) {
            self.partitionIndex = partitionIndex
            self.errorCode = errorCode
            self.timestamp = timestamp
            self.offset = offset
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

    /// v2+.
    public var throttleTimeMs: Int32
    public var topics: [Topic]

    public init(throttleTimeMs: Int32 = 0, topics: [Topic]) {
        self.throttleTimeMs = throttleTimeMs
        self.topics = topics
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        throttleTimeMs = version >= 2 ? try buffer.readKafkaInteger("ListOffsetsResponse.throttle_time_ms") : 0
        topics = try buffer.readKafkaArray("ListOffsetsResponse.topics") {
            (topic: inout ByteBuffer) throws(KafkaProtocolError) in
            Topic(
                name: try topic.readKafkaString("ListOffsetsTopicResponse.name"),
                partitions: try topic.readKafkaArray("ListOffsetsTopicResponse.partitions") {
                    (partition: inout ByteBuffer) throws(KafkaProtocolError) in
                    Partition(
                        partitionIndex: try partition.readKafkaInteger(
                            "ListOffsetsPartitionResponse.partition_index"
                        ),
                        errorCode: KafkaErrorCode(
                            rawValue: try partition.readKafkaInteger("ListOffsetsPartitionResponse.error_code")
                        ),
                        timestamp: try partition.readKafkaInteger("ListOffsetsPartitionResponse.timestamp"),
                        offset: try partition.readKafkaInteger("ListOffsetsPartitionResponse.offset")
                    )
                }
            )
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        if version >= 2 { buffer.writeInteger(throttleTimeMs) }
        try buffer.writeKafkaArray(topics, "ListOffsetsResponse.topics") {
            (topic: Topic, out: inout ByteBuffer) throws(KafkaProtocolError) in
            try out.writeKafkaString(topic.name, "ListOffsetsTopicResponse.name")
            try out.writeKafkaArray(topic.partitions, "ListOffsetsTopicResponse.partitions") {
                (partition: Partition, out: inout ByteBuffer) throws(KafkaProtocolError) in
                out.writeInteger(partition.partitionIndex)
                out.writeInteger(partition.errorCode.rawValue)
                out.writeInteger(partition.timestamp)
                out.writeInteger(partition.offset)
            }
        }
    }
}
