import NIOCore

/// Heartbeat response (key 12), v0–v3.
///
/// ```
/// v0:    error_code int16
/// v1-v3: throttle_time_ms int32 | error_code int16
/// ```
public struct HeartbeatResponse: KafkaResponseMessage {
    public static let apiKey = ApiKey.heartbeat
    public static let versions: ClosedRange<Int16> = 0...3

    /// v1+.
    public var throttleTimeMs: Int32
    /// REBALANCE_IN_PROGRESS tells a healthy member to rejoin.
    public var errorCode: KafkaErrorCode

    public init(throttleTimeMs: Int32 = 0, errorCode: KafkaErrorCode = .none) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        throttleTimeMs = version >= 1 ? try buffer.readKafkaInteger("HeartbeatResponse.throttle_time_ms") : 0
        errorCode = KafkaErrorCode(rawValue: try buffer.readKafkaInteger("HeartbeatResponse.error_code"))
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        if version >= 1 { buffer.writeInteger(throttleTimeMs) }
        buffer.writeInteger(errorCode.rawValue)
    }
}
