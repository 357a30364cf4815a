import NIOCore

/// FindCoordinator response (key 10), v0–v2.
///
/// ```
/// v0:    error_code int16 | node_id int32 | host STRING | port int32
/// v1-v2: throttle_time_ms int32 | error_code int16 | error_message NULLABLE_STRING
///        | node_id int32 | host STRING | port int32
/// ```
public struct FindCoordinatorResponse: KafkaResponseMessage {
    public static let apiKey = ApiKey.findCoordinator
    public static let versions: ClosedRange<Int16> = 0...2

    /// v1+.
    public var throttleTimeMs: Int32
    public var errorCode: KafkaErrorCode
    /// v1+.
    public var errorMessage: String?
    public var nodeID: Int32
    public var host: String
    public var port: Int32

    public init(
        throttleTimeMs: Int32 = 0,
        errorCode: KafkaErrorCode = .none,
        errorMessage: String? = nil,
        nodeID: Int32,
        host: String,
        port: Int32
    ) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.nodeID = nodeID
        self.host = host
        self.port = port
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        throttleTimeMs = version >= 1 ? try buffer.readKafkaInteger("FindCoordinatorResponse.throttle_time_ms") : 0
        errorCode = KafkaErrorCode(rawValue: try buffer.readKafkaInteger("FindCoordinatorResponse.error_code"))
        errorMessage = version >= 1 ? try buffer.readKafkaNullableString("FindCoordinatorResponse.error_message") : nil
        nodeID = try buffer.readKafkaInteger("FindCoordinatorResponse.node_id")
        host = try buffer.readKafkaString("FindCoordinatorResponse.host")
        port = try buffer.readKafkaInteger("FindCoordinatorResponse.port")
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        if version >= 1 { buffer.writeInteger(throttleTimeMs) }
        buffer.writeInteger(errorCode.rawValue)
        if version >= 1 { try buffer.writeKafkaNullableString(errorMessage, "FindCoordinatorResponse.error_message") }
        buffer.writeInteger(nodeID)
        try buffer.writeKafkaString(host, "FindCoordinatorResponse.host")
        buffer.writeInteger(port)
    }
}
