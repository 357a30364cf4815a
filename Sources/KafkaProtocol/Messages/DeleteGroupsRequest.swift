import NIOCore

/// DeleteGroups request (key 42), v0–v1 (v2+ are flexible and not spoken here). The reference
/// pack has no JSON for it; this is Kafka's DeleteGroupsRequest.
///
/// ```
/// v0-v1: groups_names ARRAY<STRING>
/// ```
///
/// v1 differs from v0 only in its response being sent before throttling.
public struct DeleteGroupsRequest: KafkaRequestMessage {
    public typealias Response = DeleteGroupsResponse
    public static let apiKey = ApiKey.deleteGroups
    public static let versions: ClosedRange<Int16> = 0...1

    public var groupsNames: [String]

    public init(groupsNames: [String] = []) {
        self.groupsNames = groupsNames
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        groupsNames = try buffer.readKafkaArray("DeleteGroupsRequest.groups_names") {
            (name: inout ByteBuffer) throws(KafkaProtocolError) in
            try name.readKafkaString("DeleteGroupsRequest.groups_names")
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        try buffer.writeKafkaArray(groupsNames, "DeleteGroupsRequest.groups_names") {
            (name: String, out: inout ByteBuffer) throws(KafkaProtocolError) in
            try out.writeKafkaString(name, "DeleteGroupsRequest.groups_names")
        }
    }
}
