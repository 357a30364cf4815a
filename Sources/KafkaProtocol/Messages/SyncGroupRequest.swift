import NIOCore

/// SyncGroup request (key 14), v0–v3 (v4+ are flexible and not spoken here).
///
/// ```
/// v0-v2: group_id STRING | generation_id int32 | member_id STRING
///        | assignments ARRAY<member_id STRING | assignment BYTES>
/// v3:    group_id STRING | generation_id int32 | member_id STRING
///        | group_instance_id NULLABLE_STRING
///        | assignments ARRAY<member_id STRING | assignment BYTES>
/// ```
public struct SyncGroupRequest: KafkaRequestMessage {
    public typealias Response = SyncGroupResponse
    public static let apiKey = ApiKey.syncGroup
    public static let versions: ClosedRange<Int16> = 0...3

    /// The leader's assignment for one member.
    public struct Assignment: Sendable, Equatable {
        public var memberID: String
        /// Opaque to the coordinator (for "consumer" groups: ConsumerProtocolAssignment).
        public var assignment: [UInt8]

        public init(memberID: String, assignment: [UInt8]) {
            self.memberID = memberID
            self.assignment = assignment
        }
    }

    public var groupID: String
    /// The generation the member joined; a stale one is answered ILLEGAL_GENERATION.
    public var generationID: Int32
    public var memberID: String
    /// v3+; `nil` for a dynamic member (and when absent).
    public var groupInstanceID: String?
    /// Only the leader sends assignments; followers send none.
    public var assignments: [Assignment]

    public init(
        groupID: String,
        generationID: Int32,
        memberID: String,
        groupInstanceID: String? = nil,
        assignments: [Assignment] = []
    ) {
        self.groupID = groupID
        self.generationID = generationID
        self.memberID = memberID
        self.groupInstanceID = groupInstanceID
        self.assignments = assignments
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        groupID = try buffer.readKafkaString("SyncGroupRequest.group_id")
        generationID = try buffer.readKafkaInteger("SyncGroupRequest.generation_id")
        memberID = try buffer.readKafkaString("SyncGroupRequest.member_id")
        groupInstanceID = version >= 3 ? try buffer.readKafkaNullableString("SyncGroupRequest.group_instance_id") : nil
        assignments = try buffer.readKafkaArray("SyncGroupRequest.assignments") {
            (entry: inout ByteBuffer) throws(KafkaProtocolError) in
            Assignment(
                memberID: try entry.readKafkaString("SyncGroupRequestAssignment.member_id"),
                assignment: try entry.readKafkaByteArray("SyncGroupRequestAssignment.assignment")
            )
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        try buffer.writeKafkaString(groupID, "SyncGroupRequest.group_id")
        buffer.writeInteger(generationID)
        try buffer.writeKafkaString(memberID, "SyncGroupRequest.member_id")
        if version >= 3 { try buffer.writeKafkaNullableString(groupInstanceID, "SyncGroupRequest.group_instance_id") }
        try buffer.writeKafkaArray(assignments, "SyncGroupRequest.assignments") {
            (entry: Assignment, out: inout ByteBuffer) throws(KafkaProtocolError) in
            try out.writeKafkaString(entry.memberID, "SyncGroupRequestAssignment.member_id")
            try out.writeKafkaBytes(entry.assignment, "SyncGroupRequestAssignment.assignment")
        }
    }
}
