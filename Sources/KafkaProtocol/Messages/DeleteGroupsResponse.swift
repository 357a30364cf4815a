import NIOCore

/// DeleteGroups response (key 42), v0–v1 (Kafka's DeleteGroupsResponse; no JSON in the
/// reference pack).
///
/// ```
/// v0-v1: throttle_time_ms int32 | results ARRAY<group_id STRING | error_code int16>
/// ```
public struct DeleteGroupsResponse: KafkaResponseMessage {
    public static let apiKey = ApiKey.deleteGroups
    public static let versions: ClosedRange<Int16> = 0...1

    /// The outcome for one requested group (DeletableGroupResult).
    public struct Result: Sendable, Equatable {
        public var groupID: String
        public var errorCode: KafkaErrorCode

        public init(groupID: String, errorCode: KafkaErrorCode = .none) {
            self.groupID = groupID
            self.errorCode = errorCode
        }
    }

    public var throttleTimeMs: Int32
    public var results: [Result]

    public init(throttleTimeMs: Int32 = 0, results: [Result] = []) {
        self.throttleTimeMs = throttleTimeMs
        self.results = results
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        throttleTimeMs = try buffer.readKafkaInteger("DeleteGroupsResponse.throttle_time_ms")
        results = try buffer.readKafkaArray("DeleteGroupsResponse.results") {
            (result: inout ByteBuffer) throws(KafkaProtocolError) in
            Result(
                groupID: try result.readKafkaString("DeletableGroupResult.group_id"),
                errorCode: KafkaErrorCode(rawValue: try result.readKafkaInteger("DeletableGroupResult.error_code"))
            )
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        buffer.writeInteger(throttleTimeMs)
        try buffer.writeKafkaArray(results, "DeleteGroupsResponse.results") {
            (result: Result, out: inout ByteBuffer) throws(KafkaProtocolError) in
            try out.writeKafkaString(result.groupID, "DeletableGroupResult.group_id")
            out.writeInteger(result.errorCode.rawValue)
        }
    }
}
