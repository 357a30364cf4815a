import NIOCore

/// JoinGroup request (key 11), v0–v5 (v6+ are flexible and not spoken here).
///
/// ```
/// v0:    group_id STRING | session_timeout_ms int32 | member_id STRING | protocol_type STRING
///        | protocols ARRAY<name STRING | metadata BYTES>
/// v1-v4: group_id STRING | session_timeout_ms int32 | rebalance_timeout_ms int32
///        | member_id STRING | protocol_type STRING
///        | protocols ARRAY<name STRING | metadata BYTES>
/// v5:    group_id STRING | session_timeout_ms int32 | rebalance_timeout_ms int32
///        | member_id STRING | group_instance_id NULLABLE_STRING | protocol_type STRING
///        | protocols ARRAY<name STRING | metadata BYTES>
/// ```
public struct JoinGroupRequest: KafkaRequestMessage {
    public typealias Response = JoinGroupResponse
    public static let apiKey = ApiKey.joinGroup
    public static let versions: ClosedRange<Int16> = 0...5

    /// One assignment protocol the member can use (e.g. "range" with its subscription as
    /// `metadata`). Swift reads `.Protocol` after a type as its metatype, so the name needs
    /// backticks in type positions (``[JoinGroupRequest.`Protocol`]``) and cannot be called
    /// qualified in an expression at all: build values with `.init(name:metadata:)` where the
    /// type is inferred, e.g. `protocols: [.init(name: "range", metadata: subscription)]`.
    public struct `Protocol`: Sendable, Equatable {
        public var name: String
        /// Opaque to the coordinator (for "consumer" groups: ConsumerProtocolSubscription).
        public var metadata: [UInt8]

        public init(name: String, metadata: [UInt8]) {
            self.name = name
            self.metadata = metadata
        }
    }

    public var groupID: String
    public var sessionTimeoutMs: Int32
    /// v1+; -1 when absent. -1 is only a placeholder (the JSON says so): a v0 member has no
    /// separate rebalance timeout, and a coordinator uses ``sessionTimeoutMs`` in its place.
    public var rebalanceTimeoutMs: Int32
    /// Empty on a member's first join; the coordinator assigns one.
    public var memberID: String
    /// v5+; `nil` for a dynamic member (and when absent).
    public var groupInstanceID: String?
    /// "consumer" for Kafka consumers; members of one group must agree on it.
    public var protocolType: String
    /// In the member's order of preference.
    public var protocols: [`Protocol`]

    public init(
        groupID: String,
        sessionTimeoutMs: Int32,
        rebalanceTimeoutMs: Int32 = -1,
        memberID: String = "",
        groupInstanceID: String? = nil,
        protocolType: String,
        protocols: [`Protocol`]
    ) {
        self.groupID = groupID
        self.sessionTimeoutMs = sessionTimeoutMs
        self.rebalanceTimeoutMs = rebalanceTimeoutMs
        self.memberID = memberID
        self.groupInstanceID = groupInstanceID
        self.protocolType = protocolType
        self.protocols = protocols
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        groupID = try buffer.readKafkaString("JoinGroupRequest.group_id")
        sessionTimeoutMs = try buffer.readKafkaInteger("JoinGroupRequest.session_timeout_ms")
        rebalanceTimeoutMs = version >= 1 ? try buffer.readKafkaInteger("JoinGroupRequest.rebalance_timeout_ms") : -1
        memberID = try buffer.readKafkaString("JoinGroupRequest.member_id")
        groupInstanceID = version >= 5 ? try buffer.readKafkaNullableString("JoinGroupRequest.group_instance_id") : nil
        protocolType = try buffer.readKafkaString("JoinGroupRequest.protocol_type")
        protocols = try buffer.readKafkaArray("JoinGroupRequest.protocols") {
            (entry: inout ByteBuffer) throws(KafkaProtocolError) in
            `Protocol`(
                name: try entry.readKafkaString("JoinGroupRequestProtocol.name"),
                metadata: try entry.readKafkaByteArray("JoinGroupRequestProtocol.metadata")
            )
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        try buffer.writeKafkaString(groupID, "JoinGroupRequest.group_id")
        buffer.writeInteger(sessionTimeoutMs)
        if version >= 1 { buffer.writeInteger(rebalanceTimeoutMs) }
        try buffer.writeKafkaString(memberID, "JoinGroupRequest.member_id")
        if version >= 5 { try buffer.writeKafkaNullableString(groupInstanceID, "JoinGroupRequest.group_instance_id") }
        try buffer.writeKafkaString(protocolType, "JoinGroupRequest.protocol_type")
        try buffer.writeKafkaArray(protocols, "JoinGroupRequest.protocols") {
            (entry: `Protocol`, out: inout ByteBuffer) throws(KafkaProtocolError) in
            try out.writeKafkaString(entry.name, "JoinGroupRequestProtocol.name")
            try out.writeKafkaBytes(entry.metadata, "JoinGroupRequestProtocol.metadata")
        }
    }
}
