import NIOCore

/// Metadata request (key 3), v1–v4.
///
/// ```
/// v1-v3: topics NULLABLE_ARRAY<name STRING>            (null = all topics, empty = none)
/// v4:    v1 | allow_auto_topic_creation BOOL
/// ```
public struct MetadataRequest: KafkaRequestMessage {
    public typealias Response = MetadataResponse
    public static let apiKey = ApiKey.metadata
    public static let versions: ClosedRange<Int16> = 1...4

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
        allowAutoTopicCreation =
            version >= 4 ? try buffer.readKafkaBool("MetadataRequest.allow_auto_topic_creation") : true
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        try buffer.writeKafkaNullableArray(topics, "MetadataRequest.topics") {
            (name: String, topic: inout ByteBuffer) throws(KafkaProtocolError) in
            try topic.writeKafkaString(name, "MetadataRequestTopic.name")
        }
        if version >= 4 { buffer.writeKafkaBool(allowAutoTopicCreation) }
    }
}
