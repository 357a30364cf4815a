import NIOCore

/// What the leader of a `consumer` group hands each member in SyncGroup (Kafka's
/// `ConsumerProtocolAssignment`): the partitions it owns in this generation, per topic.
///
/// Layout (version 0): int16 version, ARRAY of (STRING topic, ARRAY of INT32 partitions),
/// nullable BYTES user data. Version 1 adds nothing this side needs; later fields are ignored.
/// An empty byte string (a member the leader gave nothing, as some clients send it) reads as
/// no partitions.
public struct ConsumerProtocolAssignment: Sendable, Equatable {
    public static let version: Int16 = 0

    /// Topic → partitions, each list ascending.
    public var partitions: [String: [Int32]]
    public var userData: [UInt8]?

    public init(partitions: [String: [Int32]], userData: [UInt8]? = nil) {
        self.partitions = partitions
        self.userData = userData
    }

    public init(bytes: [UInt8]) throws(KafkaProtocolError) {
        guard !bytes.isEmpty else {
            partitions = [:]
            userData = nil
            return
        }
        var buffer = ByteBuffer(bytes: bytes)
        let version: Int16 = try buffer.readKafkaInteger("ConsumerProtocolAssignment.version")
        guard version >= 0 else { throw .unsupportedVersion(api: .syncGroup, version: version) }
        let entries = try buffer.readKafkaArray("ConsumerProtocolAssignment.assigned_partitions") {
            (entry: inout ByteBuffer) throws(KafkaProtocolError) -> (String, [Int32]) in
            let topic = try entry.readKafkaString("TopicPartition.topic")
            let partitions = try entry.readKafkaArray("TopicPartition.partitions") {
                (partition: inout ByteBuffer) throws(KafkaProtocolError) -> Int32 in
                try partition.readKafkaInteger("TopicPartition.partition")
            }
            return (topic, partitions)
        }
        var partitions: [String: [Int32]] = [:]
        for (topic, list) in entries { partitions[topic, default: []] += list }
        self.partitions = partitions.mapValues { $0.sorted() }
        if buffer.readableBytes >= 4 {
            userData = try buffer.readKafkaNullableBytes("ConsumerProtocolAssignment.user_data")
                .map { Array($0.readableBytesView) }
        } else {
            userData = nil
        }
    }

    /// The version-0 bytes, topics in name order.
    public func encoded() throws(KafkaProtocolError) -> [UInt8] {
        var buffer = ByteBuffer()
        buffer.writeInteger(Self.version)
        let topics = partitions.sorted { $0.key < $1.key }
        try buffer.writeKafkaArray(topics, "ConsumerProtocolAssignment.assigned_partitions") {
            (entry: (key: String, value: [Int32]), out: inout ByteBuffer) throws(KafkaProtocolError) in
            try out.writeKafkaString(entry.key, "TopicPartition.topic")
            try out.writeKafkaArray(entry.value, "TopicPartition.partitions") {
                (partition: Int32, out: inout ByteBuffer) throws(KafkaProtocolError) in
                out.writeInteger(partition)
            }
        }
        try buffer.writeKafkaNullableBytes(
            userData.map { ByteBuffer(bytes: $0) }, "ConsumerProtocolAssignment.user_data")
        return Array(buffer.readableBytesView)
    }
}
