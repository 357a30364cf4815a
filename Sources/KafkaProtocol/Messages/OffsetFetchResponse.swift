import NIOCore

/// OffsetFetch response (key 9), v1–v3.
///
/// ```
/// [throttle_time_ms int32  v3+]
/// | topics ARRAY<name STRING
///     | partitions ARRAY<partition_index int32 | committed_offset int64 | metadata NULLABLE_STRING
///                        | error_code int16>>
/// | [error_code int16  v2+]
/// ```
/// Nothing committed is answered with offset -1, metadata "" and error 0 (README §5).
public struct OffsetFetchResponse: KafkaResponseMessage {
    public static let apiKey = ApiKey.offsetFetch
    public static let versions: ClosedRange<Int16> = 1...3

    public struct Partition: Sendable, Equatable {
        public var partitionIndex: Int32
        public var committedOffset: Int64
        public var metadata: String?
        public var errorCode: KafkaErrorCode

        public init(
            partitionIndex: Int32,
            committedOffset: Int64,
            metadata: String? = "",
            errorCode: KafkaErrorCode = .none
        ) {
            self.partitionIndex = partitionIndex
            self.committedOffset = committedOffset
            self.metadata = metadata
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
    /// v2+: a group-level error.
    public var errorCode: KafkaErrorCode

    public init(throttleTimeMs: Int32 = 0, topics: [Topic], errorCode: KafkaErrorCode = .none) {
        self.throttleTimeMs = throttleTimeMs
        self.topics = topics
        self.errorCode = errorCode
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        throttleTimeMs = version >= 3 ? try buffer.readKafkaInteger("OffsetFetchResponse.throttle_time_ms") : 0
        topics = try buffer.readKafkaArray("OffsetFetchResponse.topics") {
            (topic: inout ByteBuffer) throws(KafkaProtocolError) in
            Topic(
                name: try topic.readKafkaString("OffsetFetchResponseTopic.name"),
                partitions: try topic.readKafkaArray("OffsetFetchResponseTopic.partitions") {
                    (partition: inout ByteBuffer) throws(KafkaProtocolError) in
                    Partition(
                        partitionIndex: try partition.readKafkaInteger("OffsetFetchResponsePartition.partition_index"),
                        committedOffset: try partition.readKafkaInteger(
                            "OffsetFetchResponsePartition.committed_offset"
                        ),
                        metadata: try partition.readKafkaNullableString("OffsetFetchResponsePartition.metadata"),
                        errorCode: KafkaErrorCode(
                            rawValue: try partition.readKafkaInteger("OffsetFetchResponsePartition.error_code")
                        )
                    )
                }
            )
        }
        errorCode =
            version >= 2
            ? KafkaErrorCode(rawValue: try buffer.readKafkaInteger("OffsetFetchResponse.error_code")) : .none
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        if version >= 3 { buffer.writeInteger(throttleTimeMs) }
        try buffer.writeKafkaArray(topics, "OffsetFetchResponse.topics") {
            (topic: Topic, out: inout ByteBuffer) throws(KafkaProtocolError) in
            try out.writeKafkaString(topic.name, "OffsetFetchResponseTopic.name")
            try out.writeKafkaArray(topic.partitions, "OffsetFetchResponseTopic.partitions") {
                (partition: Partition, out: inout ByteBuffer) throws(KafkaProtocolError) in
                out.writeInteger(partition.partitionIndex)
                out.writeInteger(partition.committedOffset)
                try out.writeKafkaNullableString(partition.metadata, "OffsetFetchResponsePartition.metadata")
                out.writeInteger(partition.errorCode.rawValue)
            }
        }
        if version >= 2 { buffer.writeInteger(errorCode.rawValue) }
    }
}
