import NIOCore

/// DescribeGroups response (key 15), v0–v4.
///
/// ```
/// v0:    groups ARRAY<Group>
/// v1-v2: throttle_time_ms int32 | groups ARRAY<Group>
/// v3-v4: throttle_time_ms int32 | groups ARRAY<Group | authorized_operations int32>
///
/// Group:  error_code int16 | group_id STRING | group_state STRING | protocol_type STRING
///         | protocol_data STRING | members ARRAY<Member>   [| authorized_operations, v3+]
/// Member (v0-v3): member_id STRING | client_id STRING | client_host STRING
///                 | member_metadata BYTES | member_assignment BYTES
/// Member (v4):    member_id STRING | group_instance_id NULLABLE_STRING | client_id STRING
///                 | client_host STRING | member_metadata BYTES | member_assignment BYTES
/// ```
public struct DescribeGroupsResponse: KafkaResponseMessage {
    public static let apiKey = ApiKey.describeGroups
    public static let versions: ClosedRange<Int16> = 0...4

    /// "Not computed": the JSON default of `authorized_operations`, and what a broker answers
    /// when the request did not ask for them.
    public static let authorizedOperationsOmitted = Int32.min

    /// One member of a described group (`DescribedGroupMember` in the JSON).
    public struct Member: Sendable, Equatable {
        public var memberID: String
        /// v4+; `nil` for a dynamic member (and when absent).
        public var groupInstanceID: String?
        /// The client id of the member's latest JoinGroup.
        public var clientID: String
        public var clientHost: String
        /// The member's metadata for the protocol in use; Kafka sends it only for a Stable group.
        public var memberMetadata: [UInt8]
        /// The member's assignment; Kafka sends it only for a Stable group (empty otherwise).
        public var memberAssignment: [UInt8]

        public init(
            memberID: String,
            groupInstanceID: String? = nil,
            clientID: String,
            clientHost: String,
            memberMetadata: [UInt8] = [],
            memberAssignment: [UInt8] = []
        ) {
            self.memberID = memberID
            self.groupInstanceID = groupInstanceID
            self.clientID = clientID
            self.clientHost = clientHost
            self.memberMetadata = memberMetadata
            self.memberAssignment = memberAssignment
        }
    }

    /// One described group (`DescribedGroup` in the JSON), in the request's order.
    public struct Group: Sendable, Equatable {
        /// Per group (e.g. NOT_COORDINATOR for a group another broker coordinates). Kafka
        /// answers a group it does not know with NONE and state "Dead" in these versions.
        public var errorCode: KafkaErrorCode
        public var groupID: String
        /// "Empty", "PreparingRebalance", "CompletingRebalance", "Stable" or "Dead"; "" on errors.
        public var groupState: String
        public var protocolType: String
        /// The chosen protocol's name (e.g. "range"); Kafka fills it in only for a Stable group.
        public var protocolData: String
        /// Always empty for a Dead group.
        public var members: [Member]
        /// v3+; a bitfield of ACL operations, or ``DescribeGroupsResponse/authorizedOperationsOmitted``.
        public var authorizedOperations: Int32

        public init(
            errorCode: KafkaErrorCode = .none,
            groupID: String,
            groupState: String = "",
            protocolType: String = "",
            protocolData: String = "",
            members: [Member] = [],
            authorizedOperations: Int32 = DescribeGroupsResponse.authorizedOperationsOmitted
        ) {
            self.errorCode = errorCode
            self.groupID = groupID
            self.groupState = groupState
            self.protocolType = protocolType
            self.protocolData = protocolData
            self.members = members
            self.authorizedOperations = authorizedOperations
        }
    }

    /// v1+.
    public var throttleTimeMs: Int32
    public var groups: [Group]

    public init(throttleTimeMs: Int32 = 0, groups: [Group]) {
        self.throttleTimeMs = throttleTimeMs
        self.groups = groups
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        throttleTimeMs = version >= 1 ? try buffer.readKafkaInteger("DescribeGroupsResponse.throttle_time_ms") : 0
        groups = try buffer.readKafkaArray("DescribeGroupsResponse.groups") {
            (group: inout ByteBuffer) throws(KafkaProtocolError) in
            try Self.readGroup(from: &group, version: version)
        }
    }

    private static func readGroup(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) -> Group {
        let errorCode = KafkaErrorCode(rawValue: try buffer.readKafkaInteger("DescribedGroup.error_code"))
        let groupID = try buffer.readKafkaString("DescribedGroup.group_id")
        let groupState = try buffer.readKafkaString("DescribedGroup.group_state")
        let protocolType = try buffer.readKafkaString("DescribedGroup.protocol_type")
        let protocolData = try buffer.readKafkaString("DescribedGroup.protocol_data")
        let members = try buffer.readKafkaArray("DescribedGroup.members") {
            (member: inout ByteBuffer) throws(KafkaProtocolError) in
            Member(
                memberID: try member.readKafkaString("DescribedGroupMember.member_id"),
                groupInstanceID: version >= 4
                    ? try member.readKafkaNullableString("DescribedGroupMember.group_instance_id") : nil,
                clientID: try member.readKafkaString("DescribedGroupMember.client_id"),
                clientHost: try member.readKafkaString("DescribedGroupMember.client_host"),
                memberMetadata: try member.readKafkaByteArray("DescribedGroupMember.member_metadata"),
                memberAssignment: try member.readKafkaByteArray("DescribedGroupMember.member_assignment")
            )
        }
        let authorizedOperations: Int32 =
            version >= 3
            ? try buffer.readKafkaInteger("DescribedGroup.authorized_operations") : Self.authorizedOperationsOmitted
        return Group(
            errorCode: errorCode,
            groupID: groupID,
            groupState: groupState,
            protocolType: protocolType,
            protocolData: protocolData,
            members: members,
            authorizedOperations: authorizedOperations
        )
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        if version >= 1 { buffer.writeInteger(throttleTimeMs) }
        try buffer.writeKafkaArray(groups, "DescribeGroupsResponse.groups") {
            (group: Group, out: inout ByteBuffer) throws(KafkaProtocolError) in
            out.writeInteger(group.errorCode.rawValue)
            try out.writeKafkaString(group.groupID, "DescribedGroup.group_id")
            try out.writeKafkaString(group.groupState, "DescribedGroup.group_state")
            try out.writeKafkaString(group.protocolType, "DescribedGroup.protocol_type")
            try out.writeKafkaString(group.protocolData, "DescribedGroup.protocol_data")
            try out.writeKafkaArray(group.members, "DescribedGroup.members") {
                (member: Member, out: inout ByteBuffer) throws(KafkaProtocolError) in
                try out.writeKafkaString(member.memberID, "DescribedGroupMember.member_id")
                if version >= 4 {
                    try out.writeKafkaNullableString(member.groupInstanceID, "DescribedGroupMember.group_instance_id")
                }
                try out.writeKafkaString(member.clientID, "DescribedGroupMember.client_id")
                try out.writeKafkaString(member.clientHost, "DescribedGroupMember.client_host")
                try out.writeKafkaBytes(member.memberMetadata, "DescribedGroupMember.member_metadata")
                try out.writeKafkaBytes(member.memberAssignment, "DescribedGroupMember.member_assignment")
            }
            if version >= 3 { out.writeInteger(group.authorizedOperations) }
        }
    }
}
