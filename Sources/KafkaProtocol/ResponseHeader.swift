import NIOCore

/// The header in front of every response body (README §2).
///
/// ```
/// v0: correlation_id int32
/// v1: correlation_id int32 | TAG_BUFFER    (flexible responses, except ApiVersions)
/// ```
/// The header carries no API key: the client knows which request a response answers from the
/// correlation id (and the in-order rule), and so which header version to expect
/// (``ApiKey/responseHeaderVersion(_:)``).
public struct ResponseHeader: Sendable, Equatable {
    public var correlationID: Int32

    public init(correlationID: Int32) {
        self.correlationID = correlationID
    }

    /// Reads a header of `headerVersion` (0 or 1) from the start of a response frame.
    public init(from buffer: inout ByteBuffer, headerVersion: Int16) throws(KafkaProtocolError) {
        correlationID = try buffer.readKafkaInteger("ResponseHeader.correlation_id")
        if headerVersion >= 1 {
            try buffer.skipKafkaTaggedFields("ResponseHeader._tagged_fields")
        }
    }

    /// Appends this header as `headerVersion` (0 or 1).
    public func encode(into buffer: inout ByteBuffer, headerVersion: Int16) {
        buffer.writeInteger(correlationID)
        if headerVersion >= 1 {
            buffer.writeKafkaEmptyTaggedFields()
        }
    }
}
