import NIOCore

/// FindCoordinator request (key 10), v0–v2. Min must stay 0: librdkafka 2.0.2 enables LZ4 and
/// consumer groups only when FindCoordinator 0 is advertised (README §3).
///
/// ```
/// v0:    key STRING
/// v1-v2: key STRING | key_type int8          (0 = group, 1 = transaction)
/// ```
public struct FindCoordinatorRequest: KafkaRequestMessage {
    public typealias Response = FindCoordinatorResponse
    public static let apiKey = ApiKey.findCoordinator
    public static let versions: ClosedRange<Int16> = 0...2

    /// The group id (or transactional id when ``keyType`` is 1).
    public var key: String
    /// v1+; 0 (group) when absent.
    public var keyType: Int8

    public init(key: String, keyType: Int8 = 0) {
        self.key = key
        self.keyType = keyType
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        key = try buffer.readKafkaString("FindCoordinatorRequest.key")
        keyType = version >= 1 ? try buffer.readKafkaInteger("FindCoordinatorRequest.key_type") : 0
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        try buffer.writeKafkaString(key, "FindCoordinatorRequest.key")
        if version >= 1 { buffer.writeInteger(keyType) }
    }
}
