import NIOCore

/// DescribeGroups request (key 15), v0–v4 (v5+ are flexible and not spoken here).
///
/// ```
/// v0-v2: groups ARRAY<STRING>
/// v3-v4: groups ARRAY<STRING> | include_authorized_operations BOOLEAN
/// ```
public struct DescribeGroupsRequest: KafkaRequestMessage {
    public typealias Response = DescribeGroupsResponse
    public static let apiKey = ApiKey.describeGroups
    public static let versions: ClosedRange<Int16> = 0...4

    /// The group ids to describe; each gets one entry in the response.
    public var groups: [String]
    /// v3+; `false` when absent.
    public var includeAuthorizedOperations: Bool

    public init(groups: [String], includeAuthorizedOperations: Bool = false) {
        self.groups = groups
        self.includeAuthorizedOperations = includeAuthorizedOperations
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        groups = try buffer.readKafkaArray("DescribeGroupsRequest.groups") {
            (group: inout ByteBuffer) throws(KafkaProtocolError) in
            try group.readKafkaString("DescribeGroupsRequest.groups")
        }
        includeAuthorizedOperations =
            version >= 3 ? try buffer.readKafkaBool("DescribeGroupsRequest.include_authorized_operations") : false
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        try buffer.writeKafkaArray(groups, "DescribeGroupsRequest.groups") {
            (group: String, out: inout ByteBuffer) throws(KafkaProtocolError) in
            try out.writeKafkaString(group, "DescribeGroupsRequest.groups")
        }
        if version >= 3 { buffer.writeKafkaBool(includeAuthorizedOperations) }
    }
}
