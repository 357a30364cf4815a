import NIOCore

/// ListGroups request (key 16), v0–v2 (v3+ are flexible and not spoken here).
///
/// ```
/// v0-v2: (empty body)
/// ```
///
/// The states and types filters only arrive in v4/v5, so every version here asks for all groups.
public struct ListGroupsRequest: KafkaRequestMessage {
    public typealias Response = ListGroupsResponse
    public static let apiKey = ApiKey.listGroups
    public static let versions: ClosedRange<Int16> = 0...2

    public init() {}

    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
    }
}
