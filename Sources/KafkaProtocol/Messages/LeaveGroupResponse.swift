import NIOCore

/// LeaveGroup response (key 13), v0–v3.
///
/// ```
/// v0:    error_code int16
/// v1-v2: throttle_time_ms int32 | error_code int16
/// v3:    throttle_time_ms int32 | error_code int16
///        | members ARRAY<member_id STRING | group_instance_id NULLABLE_STRING | error_code int16>
/// ```
public struct LeaveGroupResponse: KafkaResponseMessage {
    public static let apiKey = ApiKey.leaveGroup
    public static let versions: ClosedRange<Int16> = 0...3

    /// The outcome for one member of the request (`MemberResponse` in the JSON).
    public struct Member: Sendable, Equatable {
        public var memberID: String
        public var groupInstanceID: String?
        public var errorCode: KafkaErrorCode

        public init(memberID: String, groupInstanceID: String? = nil, errorCode: KafkaErrorCode = .none) {
            self.memberID = memberID
            self.groupInstanceID = groupInstanceID
            self.errorCode = errorCode
        }
    }

    /// v1+.
    public var throttleTimeMs: Int32
    /// The request-level error; per-member errors are in ``members`` (v3+).
    public var errorCode: KafkaErrorCode
    /// v3+; empty below (a v0–v2 request names one member, whose outcome is ``errorCode``).
    public var members: [Member]

    public init(throttleTimeMs: Int32 = 0, errorCode: KafkaErrorCode = .none, members: [Member] = []) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
        self.members = members
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        throttleTimeMs = version >= 1 ? try buffer.readKafkaInteger("LeaveGroupResponse.throttle_time_ms") : 0
        errorCode = KafkaErrorCode(rawValue: try buffer.readKafkaInteger("LeaveGroupResponse.error_code"))
        if version >= 3 {
            members = try buffer.readKafkaArray("LeaveGroupResponse.members") {
                (member: inout ByteBuffer) throws(KafkaProtocolError) in
                Member(
                    memberID: try member.readKafkaString("MemberResponse.member_id"),
                    groupInstanceID: try member.readKafkaNullableString("MemberResponse.group_instance_id"),
                    errorCode: KafkaErrorCode(rawValue: try member.readKafkaInteger("MemberResponse.error_code"))
                )
            }
        } else {
            members = []
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        if version >= 1 { buffer.writeInteger(throttleTimeMs) }
        buffer.writeInteger(errorCode.rawValue)
        if version >= 3 {
            try buffer.writeKafkaArray(members, "LeaveGroupResponse.members") {
                (member: Member, out: inout ByteBuffer) throws(KafkaProtocolError) in
                try out.writeKafkaString(member.memberID, "MemberResponse.member_id")
                try out.writeKafkaNullableString(member.groupInstanceID, "MemberResponse.group_instance_id")
                out.writeInteger(member.errorCode.rawValue)
            }
        }
    }
}
