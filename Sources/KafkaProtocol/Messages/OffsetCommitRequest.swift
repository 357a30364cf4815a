import NIOCore

/// OffsetCommit request (key 8), v2–v3 (identical on the wire).
///
/// ```
/// group_id STRING | generation_id int32 | member_id STRING | retention_time_ms int64
/// | topics ARRAY<name STRING
///     | partitions ARRAY<partition_index int32 | committed_offset int64
///                        | committed_metadata NULLABLE_STRING>>
/// ```
public struct OffsetCommitRequest: KafkaRequestMessage {
    public typealias Response = OffsetCommitResponse
    public static let apiKey = ApiKey.offsetCommit
    public static let versions: ClosedRange<Int16> = 2...3

    public struct Partition: Sendable, Equatable {
        public var partitionIndex: Int32
        /// The next offset to consume.
        public var committedOffset: Int64
        public var committedMetadata: String?

        public init(partitionIndex: Int32, committedOffset: Int64, committedMetadata: String? = nil) {
            self.partitionIndex = partitionIndex
            self.committedOffset = committedOffset
            self.committedMetadata = committedMetadata
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

    public var groupID: String
    /// -1 for a commit outside group membership (simple consumers).
    public var generationID: Int32
    public var memberID: String
    /// -1 = the broker's default retention.
    public var retentionTimeMs: Int64
    public var topics: [Topic]

    public init(
        groupID: String,
        generationID: Int32 = -1,
        memberID: String = "",
        retentionTimeMs: Int64 = -1,
        topics: [Topic]
    ) {
        self.groupID = groupID
        self.generationID = generationID
        self.memberID = memberID
        self.retentionTimeMs = retentionTimeMs
        self.topics = topics
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        groupID = try buffer.readKafkaString("OffsetCommitRequest.group_id")
        generationID = try buffer.readKafkaInteger("OffsetCommitRequest.generation_id")
        memberID = try buffer.readKafkaString("OffsetCommitRequest.member_id")
        retentionTimeMs = try buffer.readKafkaInteger("OffsetCommitRequest.retention_time_ms")
        topics = try buffer.readKafkaArray("OffsetCommitRequest.topics") {
            (topic: inout ByteBuffer) throws(KafkaProtocolError) in
            Topic(
                name: try topic.readKafkaString("OffsetCommitRequestTopic.name"),
                partitions: try topic.readKafkaArray("OffsetCommitRequestTopic.partitions") {
                    (partition: inout ByteBuffer) throws(KafkaProtocolError) in
                    Partition(
                        partitionIndex: try partition.readKafkaInteger("OffsetCommitRequestPartition.partition_index"),
                        committedOffset: try partition.readKafkaInteger(
                            "OffsetCommitRequestPartition.committed_offset"
                        ),
                        committedMetadata: try partition.readKafkaNullableString(
                            "OffsetCommitRequestPartition.committed_metadata"
                        )
                    )
                }
            )
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        try buffer.writeKafkaString(groupID, "OffsetCommitRequest.group_id")
        buffer.writeInteger(generationID)
        try buffer.writeKafkaString(memberID, "OffsetCommitRequest.member_id")
        buffer.writeInteger(retentionTimeMs)
        try buffer.writeKafkaArray(topics, "OffsetCommitRequest.topics") {
            (topic: Topic, out: inout ByteBuffer) throws(KafkaProtocolError) in
            try out.writeKafkaString(topic.name, "OffsetCommitRequestTopic.name")
            try out.writeKafkaArray(topic.partitions, "OffsetCommitRequestTopic.partitions") {
                (partition: Partition, out: inout ByteBuffer) throws(KafkaProtocolError) in
                out.writeInteger(partition.partitionIndex)
                out.writeInteger(partition.committedOffset)
                try out.writeKafkaNullableString(
                    partition.committedMetadata,
                    "OffsetCommitRequestPartition.committed_metadata"
                )
            }
        }
    }
}
