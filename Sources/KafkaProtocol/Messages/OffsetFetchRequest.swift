import NIOCore

/// OffsetFetch request (key 9), v1–v3.
///
/// ```
/// group_id STRING | topics ARRAY<name STRING | partition_indexes ARRAY<int32>>
///                   (NULLABLE from v2: null = every partition the group committed)
/// ```
public struct OffsetFetchRequest: KafkaRequestMessage {
    public typealias Response = OffsetFetchResponse
    public static let apiKey = ApiKey.offsetFetch
    public static let versions: ClosedRange<Int16> = 1...3

    public struct Topic: Sendable, Equatable {
        public var name: String
        public var partitionIndexes: [Int32]

        public init(name: String, partitionIndexes: [Int32]) {
            self.name = name
            self.partitionIndexes = partitionIndexes
        }
    }

    public var groupID: String
    /// `nil` (v2+ only) asks for all committed partitions of the group.
    public var topics: [Topic]?

    public init(groupID: String, topics: [Topic]?) {
        self.groupID = groupID
        self.topics = topics
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        groupID = try buffer.readKafkaString("OffsetFetchRequest.group_id")
        let topics = try buffer.readKafkaNullableArray("OffsetFetchRequest.topics") {
            (topic: inout ByteBuffer) throws(KafkaProtocolError) in
            Topic(
                name: try topic.readKafkaString("OffsetFetchRequestTopic.name"),
                partitionIndexes: try topic.readKafkaArray("OffsetFetchRequestTopic.partition_indexes") {
                    (index: inout ByteBuffer) throws(KafkaProtocolError) in
                    try index.readKafkaInteger("OffsetFetchRequestTopic.partition_indexes[]", as: Int32.self)
                }
            )
        }
        guard topics != nil || version >= 2 else {
            throw .invalidLength(field: "OffsetFetchRequest.topics", length: -1)
        }
        self.topics = topics
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        guard topics != nil || version >= 2 else {
            throw .unencodable(field: "OffsetFetchRequest.topics", reason: "null needs v2+")
        }
        try buffer.writeKafkaString(groupID, "OffsetFetchRequest.group_id")
        try buffer.writeKafkaNullableArray(topics, "OffsetFetchRequest.topics") {
            (topic: Topic, out: inout ByteBuffer) throws(KafkaProtocolError) in
            try out.writeKafkaString(topic.name, "OffsetFetchRequestTopic.name")
            try out.writeKafkaArray(topic.partitionIndexes, "OffsetFetchRequestTopic.partition_indexes") {
                (index: Int32, out: inout ByteBuffer) throws(KafkaProtocolError) in out.writeInteger(index)
            }
        }
    }
}
