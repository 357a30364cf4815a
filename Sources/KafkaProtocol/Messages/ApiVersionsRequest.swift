import NIOCore

/// ApiVersions request (key 18), v0–v3. The first request on every connection.
///
/// ```
/// v0-v2: (empty body)
/// v3 (flexible): client_software_name COMPACT_STRING | client_software_version COMPACT_STRING | TAG_BUFFER
/// ```
/// A probe above v3 (kafka-python starts at v4) is not decoded at all: the server reads its
/// header only and answers with ``ApiVersionsResponse/unsupportedVersion(table:)``.
public struct ApiVersionsRequest: KafkaRequestMessage {
    public typealias Response = ApiVersionsResponse
    public static let apiKey = ApiKey.apiVersions
    public static let versions: ClosedRange<Int16> = 0...3

    /// v3+ only; empty strings are written when nil.
    public var clientSoftwareName: String?
    public var clientSoftwareVersion: String?

    public init(clientSoftwareName: String? = nil, clientSoftwareVersion: String? = nil) {
        self.clientSoftwareName = clientSoftwareName
        self.clientSoftwareVersion = clientSoftwareVersion
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        guard version >= 3 else { return }
        clientSoftwareName = try buffer.readKafkaString("ApiVersionsRequest.client_software_name", compact: true)
        clientSoftwareVersion = try buffer.readKafkaString(
            "ApiVersionsRequest.client_software_version",
            compact: true
        )
        try buffer.skipKafkaTaggedFields("ApiVersionsRequest._tagged_fields")
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try requireVersion(version, Self.versions, Self.apiKey)
        guard version >= 3 else { return }
        try buffer.writeKafkaString(clientSoftwareName ?? "", "ApiVersionsRequest.client_software_name", compact: true)
        try buffer.writeKafkaString(
            clientSoftwareVersion ?? "",
            "ApiVersionsRequest.client_software_version",
            compact: true
        )
        buffer.writeKafkaEmptyTaggedFields()
    }
}
