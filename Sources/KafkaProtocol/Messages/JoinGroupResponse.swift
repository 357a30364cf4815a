import NIOCore

/// JoinGroup response (key 11), v0–v5.
///
/// ```
/// v0-v1: error_code int16 | generation_id int32 | protocol_name STRING | leader STRING
///        | member_id STRING | members ARRAY<member_id STRING | metadata BYTES>
/// v2-v4: throttle_time_ms int32 | error_code int16 | generation_id int32 | protocol_name STRING
///        | leader STRING | member_id STRING | members ARRAY<member_id STRING | metadata BYTES>
/// v5:    throttle_time_ms int32 | error_code int16 | generation_id int32 | protocol_name STRING
///        | leader STRING | member_id STRING
///        | members ARRAY<member_id STRING | group_instance_id NULLABLE_STRING | metadata BYTES>
/// ```
///
/// `protocol_name` only becomes nullable in v7, so here it is a plain string ("" on errors).
public struct JoinGroupResponse: KafkaResponseMessage {
    public static let apiKey = ApiKey.joinGroup
    public static let versions: ClosedRange<Int16> = 0...5

    /// A member of the group as the leader sees it; only the leader's response lists any.
    public struct Member: Sendable, Equatable {
        public var memberID: String
        /// v5+; `nil` for a dynamic member (and when absent).
        public var groupInstanceID: String?
        /// The member's metadata for the chosen protocol, as it sent it in JoinGroup.
        public var metadata: [UInt8]

        public init(memberID: String, groupInstanceID: String? = nil, metadata: [UInt8]) {
            self.memberID = memberID
            self.groupInstanceID = groupInstanceID
            self.metadata = metadata
        }
    }

    /// v2+.
    public var throttleTimeMs: Int32
    public var errorCode: KafkaErrorCode
    /// -1 when the join failed.
    public var generationID: Int32
    /// The protocol the coordinator chose among those every member supports.
    public var protocolName: String
    /// The member id of the group leader, who computes the assignment.
    public var leader: String
    /// This member's id (also set with ``KafkaErrorCode/memberIDRequired``).
    public var memberID: String
    /// Non-empty only in the leader's response.
    public var members: [Member]

    public init(
        throttleTimeMs: Int32 = 0,
        errorCode: KafkaErrorCode = .none,
        generationID: Int32 = -1,
        protocolName: String = "",
        leader: String = "",
        memberID: String = "",
        members: [Member] = []
    ) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
        self.generationID = generationID
        self.protocolName = protocolName
        self.leader = leader
        self.memberID = memberID
        self.members = members
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        throttleTimeMs = version >= 2 ? try buffer.readKafkaInteger("JoinGroupResponse.throttle_time_ms") : 0
        errorCode = KafkaErrorCode(rawValue: try buffer.readKafkaInteger("JoinGroupResponse.error_code"))
        generationID = try buffer.readKafkaInteger("JoinGroupResponse.generation_id")
        protocolName = try buffer.readKafkaString("JoinGroupResponse.protocol_name")
        leader = try buffer.readKafkaString("JoinGroupResponse.leader")
        memberID = try buffer.readKafkaString("JoinGroupResponse.member_id")
        members = try buffer.readKafkaArray("JoinGroupResponse.members") {
            (member: inout ByteBuffer) throws(KafkaProtocolError) in
            Member(
                memberID: try member.readKafkaString("JoinGroupResponseMember.member_id"),
                groupInstanceID: version >= 5
                    ? try member.readKafkaNullableString("JoinGroupResponseMember.group_instance_id") : nil,
                metadata: try member.readKafkaByteArray("JoinGroupResponseMember.metadata")
            )
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        if version >= 2 { buffer.writeInteger(throttleTimeMs) }
        buffer.writeInteger(errorCode.rawValue)
        buffer.writeInteger(generationID)
        try buffer.writeKafkaString(protocolName, "JoinGroupResponse.protocol_name")
        try buffer.writeKafkaString(leader, "JoinGroupResponse.leader")
        try buffer.writeKafkaString(memberID, "JoinGroupResponse.member_id")
        try buffer.writeKafkaArray(members, "JoinGroupResponse.members") {
            (member: Member, out: inout ByteBuffer) throws(KafkaProtocolError) in
            try out.writeKafkaString(member.memberID, "JoinGroupResponseMember.member_id")
            if version >= 5 {
                try out.writeKafkaNullableString(member.groupInstanceID, "JoinGroupResponseMember.group_instance_id")
            }
            try out.writeKafkaBytes(member.metadata, "JoinGroupResponseMember.metadata")
        }
    }
}
