import NIOCore

/// SyncGroup response (key 14), v0–v3.
///
/// ```
/// v0:    error_code int16 | assignment BYTES
/// v1-v3: throttle_time_ms int32 | error_code int16 | assignment BYTES
/// ```
public struct SyncGroupResponse: KafkaResponseMessage {
    public static let apiKey = ApiKey.syncGroup
    public static let versions: ClosedRange<Int16> = 0...3

    /// v1+.
    public var throttleTimeMs: Int32
    public var errorCode: KafkaErrorCode
    /// This member's share, as the leader assigned it; empty on errors (never null on the wire).
    public var assignment: [UInt8]

    public init(throttleTimeMs: Int32 = 0, errorCode: KafkaErrorCode = .none, assignment: [UInt8] = []) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
        self.assignment = assignment
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        throttleTimeMs = version >= 1 ? try buffer.readKafkaInteger("SyncGroupResponse.throttle_time_ms") : 0
        errorCode = KafkaErrorCode(rawValue: try buffer.readKafkaInteger("SyncGroupResponse.error_code"))
        assignment = try buffer.readKafkaByteArray("SyncGroupResponse.assignment")
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        if version >= 1 { buffer.writeInteger(throttleTimeMs) }
        buffer.writeInteger(errorCode.rawValue)
        try buffer.writeKafkaBytes(assignment, "SyncGroupResponse.assignment")
    }
}
