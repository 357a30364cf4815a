import NIOCore

/// LeaveGroup request (key 13), v0–v3 (v4+ are flexible and not spoken here).
///
/// ```
/// v0-v2: group_id STRING | member_id STRING
/// v3:    group_id STRING | members ARRAY<member_id STRING | group_instance_id NULLABLE_STRING>
/// ```
///
/// One model for every version: ``members``. v0–v2 carry exactly one member, written as its
/// bare `member_id` (its ``Member/groupInstanceID`` is dropped); decoding them yields one member
/// whose `groupInstanceID` is `nil`. Encoding v0–v2 with any other member count throws
/// ``KafkaProtocolError/unencodable(field:reason:)`` rather than silently leaving members behind
/// or sending one not asked for.
public struct LeaveGroupRequest: KafkaRequestMessage {
    public typealias Response = LeaveGroupResponse
    public static let apiKey = ApiKey.leaveGroup
    public static let versions: ClosedRange<Int16> = 0...3

    /// A member to remove (`MemberIdentity` in the JSON).
    public struct Member: Sendable, Equatable {
        public var memberID: String
        /// v3+; `nil` for a dynamic member (and in v0–v2).
        public var groupInstanceID: String?

        public init(memberID: String, groupInstanceID: String? = nil) {
            self.memberID = memberID
            self.groupInstanceID = groupInstanceID
        }
    }

    public var groupID: String
    /// Exactly one in v0–v2; v3 lets an admin remove several static members at once.
    public var members: [Member]

    public init(groupID: String, members: [Member]) {
        self.groupID = groupID
        self.members = members
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        groupID = try buffer.readKafkaString("LeaveGroupRequest.group_id")
        if version >= 3 {
            members = try buffer.readKafkaArray("LeaveGroupRequest.members") {
                (member: inout ByteBuffer) throws(KafkaProtocolError) in
                Member(
                    memberID: try member.readKafkaString("MemberIdentity.member_id"),
                    groupInstanceID: try member.readKafkaNullableString("MemberIdentity.group_instance_id")
                )
            }
        } else {
            members = [Member(memberID: try buffer.readKafkaString("LeaveGroupRequest.member_id"))]
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        try buffer.writeKafkaString(groupID, "LeaveGroupRequest.group_id")
        if version >= 3 {
            try buffer.writeKafkaArray(members, "LeaveGroupRequest.members") {
                (member: Member, out: inout ByteBuffer) throws(KafkaProtocolError) in
                try out.writeKafkaString(member.memberID, "MemberIdentity.member_id")
                try out.writeKafkaNullableString(member.groupInstanceID, "MemberIdentity.group_instance_id")
            }
        } else {
            guard members.count == 1, let member = members.first else {
                throw .unencodable(
                    field: "LeaveGroupRequest.member_id",
                    reason: "v\(version) carries exactly one member, not \(members.count)"
                )
            }
            try buffer.writeKafkaString(member.memberID, "LeaveGroupRequest.member_id")
        }
    }
}
