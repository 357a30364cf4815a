import NIOCore

/// CreateTopics response (key 19), v0–v4.
///
/// ```
/// v0:    topics ARRAY<name STRING | error_code int16>
/// v1:    topics ARRAY<name STRING | error_code int16 | error_message NULLABLE_STRING>
/// v2-v4: throttle_time_ms int32
///        | topics ARRAY<name STRING | error_code int16 | error_message NULLABLE_STRING>
/// ```
///
/// v3 only changes when a quota-throttled broker answers (before throttling), v4 what it
/// accepts; both have the bytes of v2.
public struct CreateTopicsResponse: KafkaResponseMessage {
    public static let apiKey = ApiKey.createTopics
    public static let versions: ClosedRange<Int16> = 0...4

    /// The outcome for one requested topic (CreatableTopicResult).
    public struct Topic: Sendable, Equatable {
        public var name: String
        public var errorCode: KafkaErrorCode
        /// v1+; `nil` when there was no error (and when absent).
        public var errorMessage: String?

        public init(name: String, errorCode: KafkaErrorCode = .none, errorMessage: String? = nil) {
            self.name = name
            self.errorCode = errorCode
            self.errorMessage = errorMessage
        }
    }

    /// v2+.
    public var throttleTimeMs: Int32
    public var topics: [Topic]

    public init(throttleTimeMs: Int32 = 0, topics: [Topic] = []) {
        self.throttleTimeMs = throttleTimeMs
        self.topics = topics
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        throttleTimeMs = version >= 2 ? try buffer.readKafkaInteger("CreateTopicsResponse.throttle_time_ms") : 0
        topics = try buffer.readKafkaArray("CreateTopicsResponse.topics") {
            (topic: inout ByteBuffer) throws(KafkaProtocolError) in
            Topic(
                name: try topic.readKafkaString("CreatableTopicResult.name"),
                errorCode: KafkaErrorCode(rawValue: try topic.readKafkaInteger("CreatableTopicResult.error_code")),
                errorMessage: version >= 1
                    ? try topic.readKafkaNullableString("CreatableTopicResult.error_message") : nil
            )
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        if version >= 2 { buffer.writeInteger(throttleTimeMs) }
        try buffer.writeKafkaArray(topics, "CreateTopicsResponse.topics") {
            (topic: Topic, out: inout ByteBuffer) throws(KafkaProtocolError) in
            try out.writeKafkaString(topic.name, "CreatableTopicResult.name")
            out.writeInteger(topic.errorCode.rawValue)
            if version >= 1 {
                try out.writeKafkaNullableString(topic.errorMessage, "CreatableTopicResult.error_message")
            }
        }
    }
}
