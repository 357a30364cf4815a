import NIOCore

/// DeleteTopics request (key 20), v0–v3 (v4+ are flexible and not spoken here; v6 names topics
/// by id as well). The reference pack has no JSON for it; this is Kafka's DeleteTopicsRequest.
///
/// ```
/// v0-v3: topic_names ARRAY<STRING> | timeout_ms int32
/// ```
///
/// v1–v3 differ from v0 only in their response (throttle time; from v2 sent before throttling,
/// v3 may answer TOPIC_DELETION_DISABLED).
public struct DeleteTopicsRequest: KafkaRequestMessage {
    public typealias Response = DeleteTopicsResponse
    public static let apiKey = ApiKey.deleteTopics
    public static let versions: ClosedRange<Int16> = 0...3

    public var topicNames: [String]
    /// How long the broker may wait for the deletions to complete before answering.
    public var timeoutMs: Int32

    public init(topicNames: [String] = [], timeoutMs: Int32) {
        self.topicNames = topicNames
        self.timeoutMs = timeoutMs
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        topicNames = try buffer.readKafkaArray("DeleteTopicsRequest.topic_names") {
            (name: inout ByteBuffer) throws(KafkaProtocolError) in
            try name.readKafkaString("DeleteTopicsRequest.topic_names")
        }
        timeoutMs = try buffer.readKafkaInteger("DeleteTopicsRequest.timeout_ms")
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        try buffer.writeKafkaArray(topicNames, "DeleteTopicsRequest.topic_names") {
            (name: String, out: inout ByteBuffer) throws(KafkaProtocolError) in
            try out.writeKafkaString(name, "DeleteTopicsRequest.topic_names")
        }
        buffer.writeInteger(timeoutMs)
    }
}
