import NIOCore

/// The header in front of every request body (README §2).
///
/// ```
/// v1: api_key int16 | api_version int16 | correlation_id int32 | client_id NULLABLE_STRING (int16 length)
/// v2: v1 | TAG_BUFFER          (when the request version is flexible)
/// ```
/// `client_id` keeps its int16 length even in v2 (`flexibleVersions: none` on that field).
/// Which version applies follows from the API key and version themselves
/// (``ApiKey/requestHeaderVersion(_:)``); for an unknown API key there is no way to know, so
/// such a header is read as v1 — enough to log it before closing the connection.
public struct RequestHeader: Sendable, Equatable {
    /// The raw API key as sent, known or not.
    public var apiKeyCode: Int16
    public var apiVersion: Int16
    public var correlationID: Int32
    public var clientID: String?

    public init(apiKey: ApiKey, apiVersion: Int16, correlationID: Int32, clientID: String?) {
        self.init(apiKeyCode: apiKey.rawValue, apiVersion: apiVersion, correlationID: correlationID, clientID: clientID)
    }

    public init(apiKeyCode: Int16, apiVersion: Int16, correlationID: Int32, clientID: String?) {
        self.apiKeyCode = apiKeyCode
        self.apiVersion = apiVersion
        self.correlationID = correlationID
        self.clientID = clientID
    }

    /// The API, or `nil` when ``apiKeyCode`` is not one this library knows.
    public var apiKey: ApiKey? { ApiKey(rawValue: apiKeyCode) }

    /// 2 when the request is flexible, otherwise 1 (also for unknown API keys).
    public var headerVersion: Int16 {
        apiKey?.requestHeaderVersion(apiVersion) ?? 1
    }

    /// Reads a header from the start of a request frame (after the size prefix), leaving the
    /// reader index on the body. Works for any version of any API, including ApiVersions
    /// probes at versions we do not speak, so they can be answered (README §2, rule 1).
    public init(from buffer: inout ByteBuffer) throws(KafkaProtocolError) {
        apiKeyCode = try buffer.readKafkaInteger("RequestHeader.api_key")
        apiVersion = try buffer.readKafkaInteger("RequestHeader.api_version")
        correlationID = try buffer.readKafkaInteger("RequestHeader.correlation_id")
        clientID = try buffer.readKafkaNullableString("RequestHeader.client_id")
        if headerVersion >= 2 {
            try buffer.skipKafkaTaggedFields("RequestHeader._tagged_fields")
        }
    }

    /// Appends this header in the version its API and version call for.
    public func encode(into buffer: inout ByteBuffer) throws(KafkaProtocolError) {
        buffer.writeInteger(apiKeyCode)
        buffer.writeInteger(apiVersion)
        buffer.writeInteger(correlationID)
        try buffer.writeKafkaNullableString(clientID, "RequestHeader.client_id")
        if headerVersion >= 2 {
            buffer.writeKafkaEmptyTaggedFields()
        }
    }
}
