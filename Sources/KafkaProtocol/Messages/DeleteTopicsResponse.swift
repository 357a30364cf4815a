import NIOCore

/// DeleteTopics response (key 20), v0–v3 (Kafka's DeleteTopicsResponse; no JSON in the
/// reference pack).
///
/// ```
/// v0:    responses ARRAY<name STRING | error_code int16>
/// v1-v3: throttle_time_ms int32 | responses ARRAY<name STRING | error_code int16>
/// ```
public struct DeleteTopicsResponse: KafkaResponseMessage {
    public static let apiKey = ApiKey.deleteTopics
    public static let versions: ClosedRange<Int16> = 0...3

    /// The outcome for one requested topic (DeletableTopicResult). A response type has no
    /// `Response` associated type (only requests do), so the name is free here; inside this
    /// type `Response` means this struct, outside it is `DeleteTopicsResponse.Response`.
    public struct Response: Sendable, Equatable {
        public var name: String
        public var errorCode: KafkaErrorCode

        public init(name: String, errorCode: KafkaErrorCode = .none) {
            self.name = name
            self.errorCode = errorCode
        }
    }

    /// v1+.
    public var throttleTimeMs: Int32
    public var responses: [Response]

    public init(throttleTimeMs: Int32 = 0, responses: [Response] = []) {
        self.throttleTimeMs = throttleTimeMs
        self.responses = responses
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        throttleTimeMs = version >= 1 ? try buffer.readKafkaInteger("DeleteTopicsResponse.throttle_time_ms") : 0
        responses = try buffer.readKafkaArray("DeleteTopicsResponse.responses") {
            (response: inout ByteBuffer) throws(KafkaProtocolError) in
            Response(
                name: try response.readKafkaString("DeletableTopicResult.name"),
                errorCode: KafkaErrorCode(rawValue: try response.readKafkaInteger("DeletableTopicResult.error_code"))
            )
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        if version >= 1 { buffer.writeInteger(throttleTimeMs) }
        try buffer.writeKafkaArray(responses, "DeleteTopicsResponse.responses") {
            (response: Response, out: inout ByteBuffer) throws(KafkaProtocolError) in
            try out.writeKafkaString(response.name, "DeletableTopicResult.name")
            out.writeInteger(response.errorCode.rawValue)
        }
    }
}
