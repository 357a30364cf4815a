import NIOCore

/// ListGroups response (key 16), v0–v2.
///
/// ```
/// v0:    error_code int16 | groups ARRAY<group_id STRING | protocol_type STRING>
/// v1-v2: throttle_time_ms int32 | error_code int16
///        | groups ARRAY<group_id STRING | protocol_type STRING>
/// ```
public struct ListGroupsResponse: KafkaResponseMessage {
    public static let apiKey = ApiKey.listGroups
    public static let versions: ClosedRange<Int16> = 0...2

    /// One group the coordinator knows (`ListedGroup` in the JSON).
    public struct Group: Sendable, Equatable {
        public var groupID: String
        /// "consumer" for consumer groups; empty for a group that only stores offsets.
        public var protocolType: String

        public init(groupID: String, protocolType: String = "") {
            self.groupID = groupID
            self.protocolType = protocolType
        }
    }

    /// v1+.
    public var throttleTimeMs: Int32
    public var errorCode: KafkaErrorCode
    public var groups: [Group]

    public init(throttleTimeMs: Int32 = 0, errorCode: KafkaErrorCode = .none, groups: [Group] = []) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
        self.groups = groups
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        throttleTimeMs = version >= 1 ? try buffer.readKafkaInteger("ListGroupsResponse.throttle_time_ms") : 0
        errorCode = KafkaErrorCode(rawValue: try buffer.readKafkaInteger("ListGroupsResponse.error_code"))
        groups = try buffer.readKafkaArray("ListGroupsResponse.groups") {
            (group: inout ByteBuffer) throws(KafkaProtocolError) in
            Group(
                groupID: try group.readKafkaString("ListedGroup.group_id"),
                protocolType: try group.readKafkaString("ListedGroup.protocol_type")
            )
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        if version >= 1 { buffer.writeInteger(throttleTimeMs) }
        buffer.writeInteger(errorCode.rawValue)
        try buffer.writeKafkaArray(groups, "ListGroupsResponse.groups") {
            (group: Group, out: inout ByteBuffer) throws(KafkaProtocolError) in
            try out.writeKafkaString(group.groupID, "ListedGroup.group_id")
            try out.writeKafkaString(group.protocolType, "ListedGroup.protocol_type")
        }
    }
}
