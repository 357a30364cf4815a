import NIOCore

/// Produce response (key 0), v3–v7.
///
/// ```
/// responses ARRAY<name STRING
///   | partition_responses ARRAY<index int32 | error_code int16 | base_offset int64
///                               | log_append_time_ms int64 | [log_start_offset int64  v5+]>>
/// | throttle_time_ms int32
/// ```
public struct ProduceResponse: KafkaResponseMessage {
    public static let apiKey = ApiKey.produce
    public static let versions: ClosedRange<Int16> = 3...7

    public struct Partition: Sendable, Equatable {
        public var index: Int32
        public var errorCode: KafkaErrorCode
        /// The offset the broker assigned to the first record of the batch.
        public var baseOffset: Int64
        /// -1 for CreateTime topics (ours).
        public var logAppendTimeMs: Int64
        /// v5+; -1 when absent.
        public var logStartOffset: Int64

        public init(
            index: Int32,
            errorCode: KafkaErrorCode = .none,
            baseOffset: Int64,
            logAppendTimeMs: Int64 = -1,
            logStartOffset: Int64 = -1
        ) {
            self.index = index
            self.errorCode = errorCode
            self.baseOffset = baseOffset
            self.logAppendTimeMs = logAppendTimeMs
            self.logStartOffset = logStartOffset
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

    public var topics: [Topic]
    public var throttleTimeMs: Int32

    public init(topics: [Topic], throttleTimeMs: Int32 = 0) {
        self.topics = topics
        self.throttleTimeMs = throttleTimeMs
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        topics = try buffer.readKafkaArray("ProduceResponse.responses") {
            (topic: inout ByteBuffer) throws(KafkaProtocolError) in
            Topic(
                name: try topic.readKafkaString("TopicProduceResponse.name"),
                partitions: try topic.readKafkaArray("TopicProduceResponse.partition_responses") {
                    (partition: inout ByteBuffer) throws(KafkaProtocolError) in
                    Partition(
                        index: try partition.readKafkaInteger("PartitionProduceResponse.index"),
                        errorCode: KafkaErrorCode(
                            rawValue: try partition.readKafkaInteger("PartitionProduceResponse.error_code")
                        ),
                        baseOffset: try partition.readKafkaInteger("PartitionProduceResponse.base_offset"),
                        logAppendTimeMs: try partition.readKafkaInteger("PartitionProduceResponse.log_append_time_ms"),
                        logStartOffset: version >= 5
                            ? try partition.readKafkaInteger("PartitionProduceResponse.log_start_offset") : -1
                    )
                }
            )
        }
        throttleTimeMs = try buffer.readKafkaInteger("ProduceResponse.throttle_time_ms")
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        try buffer.writeKafkaArray(topics, "ProduceResponse.responses") {
            (topic: Topic, out: inout ByteBuffer) throws(KafkaProtocolError) in
            try out.writeKafkaString(topic.name, "TopicProduceResponse.name")
            try out.writeKafkaArray(topic.partitions, "TopicProduceResponse.partition_responses") {
                (partition: Partition, out: inout ByteBuffer) throws(KafkaProtocolError) in
                out.writeInteger(partition.index)
                out.writeInteger(partition.errorCode.rawValue)
                out.writeInteger(partition.baseOffset)
                out.writeInteger(partition.logAppendTimeMs)
                if version >= 5 { out.writeInteger(partition.logStartOffset) }
            }
        }
        buffer.writeInteger(throttleTimeMs)
    }
}
