import NIOCore

/// ApiVersions response (key 18), v0–v3. Always preceded by response header v0, even at v3.
///
/// ```
/// v0:    error_code int16 | api_keys ARRAY<api_key int16 | min_version int16 | max_version int16>
/// v1-v2: v0 | throttle_time_ms int32
/// v3:    error_code int16 | api_keys COMPACT_ARRAY<api_key | min | max | TAG_BUFFER>
///        | throttle_time_ms int32 | TAG_BUFFER (tags 0-3: feature data, skipped when read)
/// ```
public struct ApiVersionsResponse: KafkaResponseMessage {
    public static let apiKey = ApiKey.apiVersions
    public static let versions: ClosedRange<Int16> = 0...3

    public var errorCode: KafkaErrorCode
    public var apiKeys: [ApiVersionRange]
    /// v1+.
    public var throttleTimeMs: Int32

    public init(errorCode: KafkaErrorCode = .none, apiKeys: [ApiVersionRange], throttleTimeMs: Int32 = 0) {
        self.errorCode = errorCode
        self.apiKeys = apiKeys
        self.throttleTimeMs = throttleTimeMs
    }

    /// The whole table, no error.
    public init(table: ApiVersionsTable) {
        self.init(apiKeys: table.ranges)
    }

    /// The answer to an ApiVersions request at a version above ours (README §2, rule 1):
    /// UNSUPPORTED_VERSION plus our ApiVersions range, to be written **as v0** (header v0, v0
    /// body) whatever version was asked, since v0 is the only shape every client can read.
    public static func unsupportedVersion(table: ApiVersionsTable) -> ApiVersionsResponse {
        let own = table.ranges.filter { $0.apiKeyCode == ApiKey.apiVersions.rawValue }
        return ApiVersionsResponse(errorCode: .unsupportedVersion, apiKeys: own)
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        let flexible = version >= 3
        errorCode = KafkaErrorCode(rawValue: try buffer.readKafkaInteger("ApiVersionsResponse.error_code"))
        apiKeys = try buffer.readKafkaArray("ApiVersionsResponse.api_keys", compact: flexible) {
            (element: inout ByteBuffer) throws(KafkaProtocolError) in
            let range = ApiVersionRange(
                apiKeyCode: try element.readKafkaInteger("ApiVersion.api_key"),
                minVersion: try element.readKafkaInteger("ApiVersion.min_version"),
                maxVersion: try element.readKafkaInteger("ApiVersion.max_version")
            )
            if flexible { try element.skipKafkaTaggedFields("ApiVersion._tagged_fields") }
            return range
        }
        throttleTimeMs = version >= 1 ? try buffer.readKafkaInteger("ApiVersionsResponse.throttle_time_ms") : 0
        if flexible { try buffer.skipKafkaTaggedFields("ApiVersionsResponse._tagged_fields") }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        let flexible = version >= 3
        buffer.writeInteger(errorCode.rawValue)
        try buffer.writeKafkaArray(apiKeys, "ApiVersionsResponse.api_keys", compact: flexible) {
            (range: ApiVersionRange, element: inout ByteBuffer) throws(KafkaProtocolError) in
            element.writeInteger(range.apiKeyCode)
            element.writeInteger(range.minVersion)
            element.writeInteger(range.maxVersion)
            if flexible { element.writeKafkaEmptyTaggedFields() }
        }
        if version >= 1 { buffer.writeInteger(throttleTimeMs) }
        if flexible { buffer.writeKafkaEmptyTaggedFields() }
    }
}
