import NIOCore

/// CreateTopics request (key 19), v0–v4 (v5+ are flexible and not spoken here).
///
/// ```
/// v0:    topics ARRAY<name STRING | num_partitions int32 | replication_factor int16
///            | assignments ARRAY<partition_index int32 | broker_ids ARRAY<int32>>
///            | configs ARRAY<name STRING | value NULLABLE_STRING>>
///        | timeout_ms int32
/// v1-v4: the same, then validate_only BOOLEAN
/// ```
///
/// v4 only changes what a broker accepts (KIP-464: `num_partitions`/`replication_factor` may be
/// -1 without `assignments`, meaning the broker's defaults); the bytes are those of v1.
public struct CreateTopicsRequest: KafkaRequestMessage {
    public typealias Response = CreateTopicsResponse
    public static let apiKey = ApiKey.createTopics
    public static let versions: ClosedRange<Int16> = 0...4

    /// A manual placement of one partition (CreatableReplicaAssignment).
    public struct Assignment: Sendable, Equatable {
        public var partitionIndex: Int32
        /// The brokers holding the partition's replicas, the preferred leader first.
        public var brokerIDs: [Int32]

        public init(partitionIndex: Int32, brokerIDs: [Int32] = []) {
            self.partitionIndex = partitionIndex
            self.brokerIDs = brokerIDs
        }
    }

    /// A topic-level configuration override (CreateableTopicConfig), e.g. `retention.ms`.
    public struct Config: Sendable, Equatable {
        public var name: String
        /// `nil` asks for the broker's default.
        public var value: String?

        public init(name: String, value: String? = nil) {
            self.name = name
            self.value = value
        }
    }

    /// One topic to create (CreatableTopic).
    public struct Topic: Sendable, Equatable {
        public var name: String
        /// -1 with manual ``assignments`` (the count comes from them), or from v4 for the
        /// broker's default.
        public var numPartitions: Int32
        /// -1 with manual ``assignments``, or from v4 for the broker's default.
        public var replicationFactor: Int16
        /// Empty for automatic placement.
        public var assignments: [Assignment]
        public var configs: [Config]

        public init(
            name: String,
            numPartitions: Int32 = -1,
            replicationFactor: Int16 = -1,
            assignments: [Assignment] = [],
            configs: [Config] = []
        ) {
            self.name = name
            self.numPartitions = numPartitions
            self.replicationFactor = replicationFactor
            self.assignments = assignments
            self.configs = configs
        }
    }

    public var topics: [Topic]
    /// How long the broker may wait for the topics to be created before answering.
    public var timeoutMs: Int32
    /// v1+; `false` when absent. When set, the broker only checks the request and creates nothing.
    public var validateOnly: Bool

    public init(topics: [Topic] = [], timeoutMs: Int32, validateOnly: Bool = false) {
        self.topics = topics
        self.timeoutMs = timeoutMs
        self.validateOnly = validateOnly
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        topics = try buffer.readKafkaArray("CreateTopicsRequest.topics") {
            (topic: inout ByteBuffer) throws(KafkaProtocolError) in
            Topic(
                name: try topic.readKafkaString("CreatableTopic.name"),
                numPartitions: try topic.readKafkaInteger("CreatableTopic.num_partitions"),
                replicationFactor: try topic.readKafkaInteger("CreatableTopic.replication_factor"),
                assignments: try topic.readKafkaArray("CreatableTopic.assignments") {
                    (assignment: inout ByteBuffer) throws(KafkaProtocolError) in
                    Assignment(
                        partitionIndex: try assignment.readKafkaInteger(
                            "CreatableReplicaAssignment.partition_index"
                        ),
                        brokerIDs: try assignment.readKafkaArray("CreatableReplicaAssignment.broker_ids") {
                            (broker: inout ByteBuffer) throws(KafkaProtocolError) in
                            try broker.readKafkaInteger("CreatableReplicaAssignment.broker_ids", as: Int32.self)
                        }
                    )
                },
                configs: try topic.readKafkaArray("CreatableTopic.configs") {
                    (config: inout ByteBuffer) throws(KafkaProtocolError) in
                    Config(
                        name: try config.readKafkaString("CreateableTopicConfig.name"),
                        value: try config.readKafkaNullableString("CreateableTopicConfig.value")
                    )
                }
            )
        }
        timeoutMs = try buffer.readKafkaInteger("CreateTopicsRequest.timeout_ms")
        validateOnly = version >= 1 ? try buffer.readKafkaBool("CreateTopicsRequest.validate_only") : false
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        try buffer.writeKafkaArray(topics, "CreateTopicsRequest.topics") {
            (topic: Topic, out: inout ByteBuffer) throws(KafkaProtocolError) in
            try out.writeKafkaString(topic.name, "CreatableTopic.name")
            out.writeInteger(topic.numPartitions)
            out.writeInteger(topic.replicationFactor)
            try out.writeKafkaArray(topic.assignments, "CreatableTopic.assignments") {
                (assignment: Assignment, out: inout ByteBuffer) throws(KafkaProtocolError) in
                out.writeInteger(assignment.partitionIndex)
                try out.writeKafkaArray(assignment.brokerIDs, "CreatableReplicaAssignment.broker_ids") {
                    (broker: Int32, out: inout ByteBuffer) throws(KafkaProtocolError) in
                    out.writeInteger(broker)
                }
            }
            try out.writeKafkaArray(topic.configs, "CreatableTopic.configs") {
                (config: Config, out: inout ByteBuffer) throws(KafkaProtocolError) in
                try out.writeKafkaString(config.name, "CreateableTopicConfig.name")
                try out.writeKafkaNullableString(config.value, "CreateableTopicConfig.value")
            }
        }
        buffer.writeInteger(timeoutMs)
        if version >= 1 { buffer.writeKafkaBool(validateOnly) }
    }
}
