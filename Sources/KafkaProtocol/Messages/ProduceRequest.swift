import NIOCore

/// Produce request (key 0), v3–v7. The five versions are identical on the wire.
///
/// ```
/// transactional_id NULLABLE_STRING | acks int16 | timeout_ms int32
/// | topic_data ARRAY<name STRING | partition_data ARRAY<index int32 | records NULLABLE_RECORDS>>
/// ```
/// `records` is one or more RecordBatch v2 back to back (``RecordBatch/split(_:allowingTrailingPartialBatch:)``);
/// it is kept as a slice of the request frame, never copied.
public struct ProduceRequest: KafkaRequestMessage {
    public typealias Response = ProduceResponse
    public static let apiKey = ApiKey.produce
    public static let versions: ClosedRange<Int16> = 3...7

    public struct Partition: Sendable, Equatable {
        public var index: Int32
        public var records: ByteBuffer?

        public init(index: Int32, records: ByteBuffer?) {
            self.index = index
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

    public var transactionalID: String?
    /// 0: no response at all (the client does not wait for one); 1: after the leader appended;
    /// -1: after all in-sync replicas appended (the same thing on one node).
    public var acks: Int16
    public var timeoutMs: Int32
    public var topics: [Topic]

    public init(transactionalID: String? = nil, acks: Int16, timeoutMs: Int32, topics: [Topic]) {
        self.transactionalID = transactionalID
        self.acks = acks
        self.timeoutMs = timeoutMs
        self.topics = topics
    }

    /// `false` for acks=0: the broker must send nothing back (README §7).
    public var expectsResponse: Bool { acks != 0 }

    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        transactionalID = try buffer.readKafkaNullableString("ProduceRequest.transactional_id")
        acks = try buffer.readKafkaInteger("ProduceRequest.acks")
        timeoutMs = try buffer.readKafkaInteger("ProduceRequest.timeout_ms")
        topics = try buffer.readKafkaArray("ProduceRequest.topic_data") {
            (topic: inout ByteBuffer) throws(KafkaProtocolError) in
            Topic(
                name: try topic.readKafkaString("TopicProduceData.name"),
                partitions: try topic.readKafkaArray("TopicProduceData.partition_data") {
                    (partition: inout ByteBuffer) throws(KafkaProtocolError) in
                    Partition(
                        index: try partition.readKafkaInteger("PartitionProduceData.index"),
                        records: try partition.readKafkaNullableBytes("PartitionProduceData.records")
                    )
                }
            )
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        try buffer.writeKafkaNullableString(transactionalID, "ProduceRequest.transactional_id")
        buffer.writeInteger(acks)
        buffer.writeInteger(timeoutMs)
        try buffer.writeKafkaArray(topics, "ProduceRequest.topic_data") {
            (topic: Topic, out: inout ByteBuffer) throws(KafkaProtocolError) in
            try out.writeKafkaString(topic.name, "TopicProduceData.name")
            try out.writeKafkaArray(topic.partitions, "TopicProduceData.partition_data") {
                (partition: Partition, out: inout ByteBuffer) throws(KafkaProtocolError) in
                out.writeInteger(partition.index)
                try out.writeKafkaNullableBytes(partition.records, "PartitionProduceData.records")
            }
        }
    }
}
