import NIOCore

/// What a member of a group with protocol type `consumer` puts in its JoinGroup protocol
/// metadata: the topics it wants (Kafka's `ConsumerProtocolSubscription`). The same bytes for
/// every assignment strategy it offers, so edgelog members and kcat/librdkafka members can sit
/// in one group and the leader — whichever client it is — can read everyone's subscription.
///
/// Layout (version 0): int16 version, ARRAY of STRING topics, nullable BYTES user data. Later
/// versions append owned partitions (v1), a generation (v2) and a rack (v3); a reader of any
/// version takes the fields it knows and ignores the rest, as Kafka's own reader does.
public struct ConsumerProtocolSubscription: Sendable, Equatable {
    /// The version this side writes.
    public static let version: Int16 = 0

    public var topics: [String]
    /// Opaque to the protocol; `nil` when absent.
    public var userData: [UInt8]?

    public init(topics: [String], userData: [UInt8]? = nil) {
        self.topics = topics
        self.userData = userData
    }

    /// Reads a subscription of any version (fields past v0 are skipped).
    public init(bytes: [UInt8]) throws(KafkaProtocolError) {
        var buffer = ByteBuffer(bytes: bytes)
        let version: Int16 = try buffer.readKafkaInteger("ConsumerProtocolSubscription.version")
        guard version >= 0 else { throw .unsupportedVersion(api: .joinGroup, version: version) }
        topics = try buffer.readKafkaArray("ConsumerProtocolSubscription.topics") {
            (entry: inout ByteBuffer) throws(KafkaProtocolError) in
            try entry.readKafkaString("ConsumerProtocolSubscription.topic")
        }
        // A v0 writer may stop before the user data (librdkafka writes it; be lenient).
        if buffer.readableBytes >= 4 {
            userData = try buffer.readKafkaNullableBytes("ConsumerProtocolSubscription.user_data")
                .map { Array($0.readableBytesView) }
        } else {
            userData = nil
        }
    }

    /// The version-0 bytes.
    public func encoded() throws(KafkaProtocolError) -> [UInt8] {
        var buffer = ByteBuffer()
        buffer.writeInteger(Self.version)
        try buffer.writeKafkaArray(topics, "ConsumerProtocolSubscription.topics") {
            (topic: String, out: inout ByteBuffer) throws(KafkaProtocolError) in
            try out.writeKafkaString(topic, "ConsumerProtocolSubscription.topic")
        }
        try buffer.writeKafkaNullableBytes(
            userData.map { ByteBuffer(bytes: $0) }, "ConsumerProtocolSubscription.user_data")
        return Array(buffer.readableBytesView)
    }
}
