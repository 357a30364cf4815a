import NIOCore

/// Metadata response (key 3), v0–v4.
///
/// ```
/// [throttle_time_ms int32]                                   v3+
/// brokers ARRAY<node_id int32 | host STRING | port int32 | [rack NULLABLE_STRING] v1+>
/// [cluster_id NULLABLE_STRING]                               v2+
/// [controller_id int32]                                      v1+ (v0 reads as -1)
/// topics ARRAY<error_code int16 | name STRING | [is_internal BOOL] v1+
///              | partitions ARRAY<error_code int16 | partition_index int32 | leader_id int32
///                                 | replica_nodes ARRAY<int32> | isr_nodes ARRAY<int32>>>
/// ```
/// The host and port advertised here are where clients connect next, so they must be
/// reachable (README §5.3).
public struct MetadataResponse: KafkaResponseMessage {
    public static let apiKey = ApiKey.metadata
    public static let versions: ClosedRange<Int16> = 0...4

    public struct Broker: Sendable, Equatable {
        public var nodeID: Int32
        public var host: String
        public var port: Int32
        public var rack: String?

        public init(nodeID: Int32, host: String, port: Int32, rack: String? = nil) {
            self.nodeID = nodeID
            self.host = host
            self.port = port
            self.rack = rack
        }
    }

    public struct Partition: Sendable, Equatable {
        public var errorCode: KafkaErrorCode
        public var partitionIndex: Int32
        public var leaderID: Int32
        public var replicaNodes: [Int32]
        public var isrNodes: [Int32]

        public init(
            errorCode: KafkaErrorCode = .none,
            partitionIndex: Int32,
            leaderID: Int32,
            replicaNodes: [Int32],
            isrNodes: [Int32]
        ) {
            self.errorCode = errorCode
            self.partitionIndex = partitionIndex
            self.leaderID = leaderID
            self.replicaNodes = replicaNodes
            self.isrNodes = isrNodes
        }
    }

    public struct Topic: Sendable, Equatable {
        public var errorCode: KafkaErrorCode
        public var name: String
        public var isInternal: Bool
        public var partitions: [Partition]

        public init(errorCode: KafkaErrorCode = .none, name: String, isInternal: Bool = false, partitions: [Partition])
        {
            self.errorCode = errorCode
            self.name = name
            self.isInternal = isInternal
            self.partitions = partitions
        }
    }

    /// v3+.
    public var throttleTimeMs: Int32
    public var brokers: [Broker]
    /// v2+.
    public var clusterID: String?
    /// `clusterID` when the broker named one (not null, not empty): what a client records to
    /// tell one cluster from another.
    public var namedClusterID: String? { clusterID.flatMap { $0.isEmpty ? nil : $0 } }
    public var controllerID: Int32
    public var topics: [Topic]

    public init(
        throttleTimeMs: Int32 = 0,
        brokers: [Broker],
        clusterID: String?,
        controllerID: Int32,
        topics: [Topic]
    ) {
        self.throttleTimeMs = throttleTimeMs
        self.brokers = brokers
        self.clusterID = clusterID
        self.controllerID = controllerID
        self.topics = topics
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        throttleTimeMs = version >= 3 ? try buffer.readKafkaInteger("MetadataResponse.throttle_time_ms") : 0
        brokers = try buffer.readKafkaArray("MetadataResponse.brokers") {
            (broker: inout ByteBuffer) throws(KafkaProtocolError) in
            Broker(
                nodeID: try broker.readKafkaInteger("MetadataResponseBroker.node_id"),
                host: try broker.readKafkaString("MetadataResponseBroker.host"),
                port: try broker.readKafkaInteger("MetadataResponseBroker.port"),
                rack: version >= 1 ? try broker.readKafkaNullableString("MetadataResponseBroker.rack") : nil
            )
        }
        clusterID = version >= 2 ? try buffer.readKafkaNullableString("MetadataResponse.cluster_id") : nil
        controllerID = version >= 1 ? try buffer.readKafkaInteger("MetadataResponse.controller_id") : -1
        topics = try buffer.readKafkaArray("MetadataResponse.topics") {
            (topic: inout ByteBuffer) throws(KafkaProtocolError) in
            Topic(
                errorCode: KafkaErrorCode(rawValue: try topic.readKafkaInteger("MetadataResponseTopic.error_code")),
                name: try topic.readKafkaString("MetadataResponseTopic.name"),
                isInternal: version >= 1 ? try topic.readKafkaBool("MetadataResponseTopic.is_internal") : false,
                partitions: try topic.readKafkaArray("MetadataResponseTopic.partitions") {
                    (partition: inout ByteBuffer) throws(KafkaProtocolError) in
                    Partition(
                        errorCode: KafkaErrorCode(
                            rawValue: try partition.readKafkaInteger("MetadataResponsePartition.error_code")
                        ),
                        partitionIndex: try partition.readKafkaInteger("MetadataResponsePartition.partition_index"),
                        leaderID: try partition.readKafkaInteger("MetadataResponsePartition.leader_id"),
                        replicaNodes: try partition.readKafkaArray("MetadataResponsePartition.replica_nodes") {
                            (node: inout ByteBuffer) throws(KafkaProtocolError) in
                            try node.readKafkaInteger("MetadataResponsePartition.replica_nodes[]", as: Int32.self)
                        },
                        isrNodes: try partition.readKafkaArray("MetadataResponsePartition.isr_nodes") {
                            (node: inout ByteBuffer) throws(KafkaProtocolError) in
                            try node.readKafkaInteger("MetadataResponsePartition.isr_nodes[]", as: Int32.self)
                        }
                    )
                }
            )
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        if version >= 3 { buffer.writeInteger(throttleTimeMs) }
        try buffer.writeKafkaArray(brokers, "MetadataResponse.brokers") {
            (broker: Broker, out: inout ByteBuffer) throws(KafkaProtocolError) in
            out.writeInteger(broker.nodeID)
            try out.writeKafkaString(broker.host, "MetadataResponseBroker.host")
            out.writeInteger(broker.port)
            if version >= 1 { try out.writeKafkaNullableString(broker.rack, "MetadataResponseBroker.rack") }
        }
        if version >= 2 { try buffer.writeKafkaNullableString(clusterID, "MetadataResponse.cluster_id") }
        if version >= 1 { buffer.writeInteger(controllerID) }
        try buffer.writeKafkaArray(topics, "MetadataResponse.topics") {
            (topic: Topic, out: inout ByteBuffer) throws(KafkaProtocolError) in
            out.writeInteger(topic.errorCode.rawValue)
            try out.writeKafkaString(topic.name, "MetadataResponseTopic.name")
            if version >= 1 { out.writeKafkaBool(topic.isInternal) }
            try out.writeKafkaArray(topic.partitions, "MetadataResponseTopic.partitions") {
                (partition: Partition, out: inout ByteBuffer) throws(KafkaProtocolError) in
                out.writeInteger(partition.errorCode.rawValue)
                out.writeInteger(partition.partitionIndex)
                out.writeInteger(partition.leaderID)
                try out.writeKafkaArray(partition.replicaNodes, "MetadataResponsePartition.replica_nodes") {
                    (node: Int32, out: inout ByteBuffer) throws(KafkaProtocolError) in out.writeInteger(node)
                }
                try out.writeKafkaArray(partition.isrNodes, "MetadataResponsePartition.isr_nodes") {
                    (node: Int32, out: inout ByteBuffer) throws(KafkaProtocolError) in out.writeInteger(node)
                }
            }
        }
    }
}
