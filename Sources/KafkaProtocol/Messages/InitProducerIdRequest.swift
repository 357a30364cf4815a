import NIOCore

/// InitProducerId request (key 22), v0–v1 (identical on the wire). kafka-python sends it first
/// because its producer is idempotent by default (README §3).
///
/// ```
/// transactional_id NULLABLE_STRING | transaction_timeout_ms int32
/// ```
public struct InitProducerIdRequest: KafkaRequestMessage {
    public typealias Response = InitProducerIdResponse
    public static let apiKey = ApiKey.initProducerId
    public static let versions: ClosedRange<Int16> = 0...1

    /// `nil` for an idempotent (non-transactional) producer.
    public var transactionalID: String?
    public var transactionTimeoutMs: Int32

    public init(transactionalID: String? = nil, transactionTimeoutMs: Int32) {
        self.transactionalID = transactionalID
        self.transactionTimeoutMs = transactionTimeoutMs
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        transactionalID = try buffer.readKafkaNullableString("InitProducerIdRequest.transactional_id")
        transactionTimeoutMs = try buffer.readKafkaInteger("InitProducerIdRequest.transaction_timeout_ms")
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        try buffer.writeKafkaNullableString(transactionalID, "InitProducerIdRequest.transactional_id")
        buffer.writeInteger(transactionTimeoutMs)
    }
}
