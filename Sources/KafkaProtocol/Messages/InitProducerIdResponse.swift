import NIOCore

/// InitProducerId response (key 22), v0–v1.
///
/// ```
/// throttle_time_ms int32 | error_code int16 | producer_id int64 | producer_epoch int16
/// ```
public struct InitProducerIdResponse: KafkaResponseMessage {
    public static let apiKey = ApiKey.initProducerId
    public static let versions: ClosedRange<Int16> = 0...1

    public var throttleTimeMs: Int32
    public var errorCode: KafkaErrorCode
    /// A broker-unique id, never issued twice (DESIGN §10.2); -1 on error.
    public var producerID: Int64
    public var producerEpoch: Int16

    public init(throttleTimeMs: Int32 = 0, errorCode: KafkaErrorCode = .none, producerID: Int64, producerEpoch: Int16) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
        self.producerID = producerID
        self.producerEpoch = producerEpoch
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        throttleTimeMs = try buffer.readKafkaInteger("InitProducerIdResponse.throttle_time_ms")
        errorCode = KafkaErrorCode(rawValue: try buffer.readKafkaInteger("InitProducerIdResponse.error_code"))
        producerID = try buffer.readKafkaInteger("InitProducerIdResponse.producer_id")
        producerEpoch = try buffer.readKafkaInteger("InitProducerIdResponse.producer_epoch")
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        buffer.writeInteger(throttleTimeMs)
        buffer.writeInteger(errorCode.rawValue)
        buffer.writeInteger(producerID)
        buffer.writeInteger(producerEpoch)
    }
}
