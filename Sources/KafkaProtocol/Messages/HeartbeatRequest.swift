import NIOCore

/// Heartbeat request (key 12), v0–v3 (v4+ are flexible and not spoken here).
///
/// ```
/// v0-v2: group_id STRING | generation_id int32 | member_id STRING
/// v3:    group_id STRING | generation_id int32 | member_id STRING
///        | group_instance_id NULLABLE_STRING
/// ```
public struct HeartbeatRequest: KafkaRequestMessage {
    public typealias Response = HeartbeatResponse
    public static let apiKey = ApiKey.heartbeat
    public static let versions: ClosedRange<Int16> = 0...3

    public var groupID: String
    /// The generation the member believes current; a rebalance since is answered
    /// REBALANCE_IN_PROGRESS or ILLEGAL_GENERATION.
    public var generationID: Int32
    public var memberID: String
    /// v3+; `nil` for a dynamic member (and when absent).
    public var groupInstanceID: String?

    public init(groupID: String, generationID: Int32, memberID: String, groupInstanceID: String? = nil) {
        self.groupID = groupID
        self.generationID = generationID
        self.memberID = memberID
        self.groupInstanceID = groupInstanceID
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        groupID = try buffer.readKafkaString("HeartbeatRequest.group_id")
        generationID = try buffer.readKafkaInteger("HeartbeatRequest.generation_id")
        memberID = try buffer.readKafkaString("HeartbeatRequest.member_id")
        groupInstanceID = version >= 3 ? try buffer.readKafkaNullableString("HeartbeatRequest.group_instance_id") : nil
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        try buffer.writeKafkaString(groupID, "HeartbeatRequest.group_id")
        buffer.writeInteger(generationID)
        try buffer.writeKafkaString(memberID, "HeartbeatRequest.member_id")
        if version >= 3 { try buffer.writeKafkaNullableString(groupInstanceID, "HeartbeatRequest.group_instance_id") }
    }
}
