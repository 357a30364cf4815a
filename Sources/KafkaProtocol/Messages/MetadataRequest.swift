import NIOCore

/// Metadata request (key 3), v0–v4.
///
/// ```
/// v0:    topics ARRAY<name STRING>                     (empty = all topics)
/// v1-v3: topics NULLABLE_ARRAY<name STRING>            (null = all topics, empty = none)
/// v4:    v1 | allow_auto_topic_creation BOOL
/// ```
/// v0 is what kafka-python sends right after ApiVersions to probe the broker: a broker that
/// refuses it (closing the connection) makes kafka-python, one time in a few, discard the
/// ApiVersions answer with the connection and take the broker for Kafka 0.9.
public struct MetadataRequest: KafkaRequestMessage {
    public typealias Response = MetadataResponse
    public static let apiKey = ApiKey.metadata
    public static let versions: ClosedRange<Int16> = 0...4

    /// `nil` asks for every topic (what `kcat -L` sends); `[]` asks for none.
    public var topics: [String]?
    /// v4+; earlier versions mean `true`.
    public var allowAutoTopicCreation: Bool

    public init(topics: [String]?, allowAutoTopicCreation: Bool = true) {
        self.topics = topics
        self.allowAutoTopicCreation = allowAutoTopicCreation
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        topics = try buffer.readKafkaNullableArray("MetadataRequest.topics") {
            (topic: inout ByteBuffer) throws(KafkaProtocolError) in
            try topic.readKafkaString("MetadataRequestTopic.name")
        }
        // v0 has no null: its empty array asks for every topic.
        if version == 0, topics?.isEmpty == true { topics = nil }
        allowAutoTopicCreation =
            version >= 4 ? try buffer.readKafkaBool("MetadataRequest.allow_auto_topic_creation") : true
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        if version == 0, topics?.isEmpty == true {
            throw .unencodable(field: "MetadataRequest.topics", reason: "v0 cannot ask for no topics (empty means all)")
        }
        let topics = version == 0 ? (self.topics ?? []) : self.topics
        try buffer.writeKafkaNullableArray(topics, "MetadataRequest.topics") {
            (name: String, topic: inout ByteBuffer) throws(KafkaProtocolError) in
            try topic.writeKafkaString(name, "MetadataRequestTopic.name")
        }
        if version >= 4 { buffer.writeKafkaBool(allowAutoTopicCreation) }
    }
}
