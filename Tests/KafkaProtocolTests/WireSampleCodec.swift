import KafkaProtocol
import NIOCore

/// Decodes and re-encodes golden wire samples generically, by API key and direction.
enum WireSampleCodec {
    static func bodyType(apiKey: Int16, isRequest: Bool) -> (any KafkaMessage.Type)? {
        switch (ApiKey(rawValue: apiKey), isRequest) {
        case (.apiVersions, true): ApiVersionsRequest.self
        case (.apiVersions, false): ApiVersionsResponse.self
        case (.metadata, true): MetadataRequest.self
        case (.metadata, false): MetadataResponse.self
        case (.produce, true): ProduceRequest.self
        case (.produce, false): ProduceResponse.self
        case (.fetch, true): FetchRequest.self
        case (.fetch, false): FetchResponse.self
        case (.listOffsets, true): ListOffsetsRequest.self
        case (.listOffsets, false): ListOffsetsResponse.self
        case (.findCoordinator, true): FindCoordinatorRequest.self
        case (.findCoordinator, false): FindCoordinatorResponse.self
        case (.offsetCommit, true): OffsetCommitRequest.self
        case (.offsetCommit, false): OffsetCommitResponse.self
        case (.offsetFetch, true): OffsetFetchRequest.self
        case (.offsetFetch, false): OffsetFetchResponse.self
        case (.initProducerId, true): InitProducerIdRequest.self
        case (.initProducerId, false): InitProducerIdResponse.self
        case (.joinGroup, true): JoinGroupRequest.self
        case (.joinGroup, false): JoinGroupResponse.self
        case (.syncGroup, true): SyncGroupRequest.self
        case (.syncGroup, false): SyncGroupResponse.self
        case (.heartbeat, true): HeartbeatRequest.self
        case (.heartbeat, false): HeartbeatResponse.self
        case (.leaveGroup, true): LeaveGroupRequest.self
        case (.leaveGroup, false): LeaveGroupResponse.self
        case (.listGroups, true): ListGroupsRequest.self
        case (.listGroups, false): ListGroupsResponse.self
        case (.describeGroups, true): DescribeGroupsRequest.self
        case (.describeGroups, false): DescribeGroupsResponse.self
        case (.createTopics, true): CreateTopicsRequest.self
        case (.createTopics, false): CreateTopicsResponse.self
        case (.deleteTopics, true): DeleteTopicsRequest.self
        case (.deleteTopics, false): DeleteTopicsResponse.self
        case (.deleteGroups, true): DeleteGroupsRequest.self
        case (.deleteGroups, false): DeleteGroupsResponse.self
        default: nil
        }
    }

    /// Samples whose body this library decodes.
    static var decodableSamples: [ReferenceVectors.WireSample] {
        ReferenceVectors.wireSamples.filter { bodyType(apiKey: $0.apiKey, isRequest: $0.isRequest) != nil }
    }

    /// The version whose layout the body has: a v4 ApiVersions probe has the v3 body layout
    /// (a server never decodes it; the fuzz tests do, to exercise those bytes too).
    static func layoutVersion(_ sample: ReferenceVectors.WireSample) -> Int16 {
        sample.apiKey == ApiKey.apiVersions.rawValue ? min(sample.version, 3) : sample.version
    }

    struct Decoded {
        var correlationID: Int32
        var clientID: String?
        var body: any KafkaMessage
    }

    /// Reads header and body of a frame (size prefix removed), as a server or client would.
    static func decode(_ sample: ReferenceVectors.WireSample, frame: inout ByteBuffer) throws -> Decoded {
        guard let type = bodyType(apiKey: sample.apiKey, isRequest: sample.isRequest) else {
            throw KafkaProtocolError.unknownApiKey(sample.apiKey)
        }
        if sample.isRequest {
            let header = try RequestHeader(from: &frame)
            let body = try type.init(from: &frame, version: layoutVersion(sample))
            return Decoded(correlationID: header.correlationID, clientID: header.clientID, body: body)
        }
        let headerVersion = type.apiKey.responseHeaderVersion(sample.version)
        let header = try ResponseHeader(from: &frame, headerVersion: headerVersion)
        let body = try type.init(from: &frame, version: sample.version)
        return Decoded(correlationID: header.correlationID, clientID: nil, body: body)
    }

    /// Writes the whole frame again through ``KafkaFrame``.
    static func encode(_ decoded: Decoded, sample: ReferenceVectors.WireSample) throws -> ByteBuffer {
        var out = ByteBuffer()
        try encode(decoded.body, decoded: decoded, sample: sample, into: &out)
        return out
    }

    private static func encode<Message: KafkaMessage>(
        _ body: Message,
        decoded: Decoded,
        sample: ReferenceVectors.WireSample,
        into out: inout ByteBuffer
    ) throws {
        if let request = body as? any KafkaRequestMessage {
            try writeRequest(request, decoded: decoded, version: layoutVersion(sample), into: &out)
        } else if let response = body as? any KafkaResponseMessage {
            try KafkaFrame.writeResponse(
                response,
                version: sample.version,
                correlationID: decoded.correlationID,
                into: &out
            )
        }
    }

    private static func writeRequest<Request: KafkaRequestMessage>(
        _ request: Request,
        decoded: Decoded,
        version: Int16,
        into out: inout ByteBuffer
    ) throws {
        try KafkaFrame.writeRequest(
            request,
            version: version,
            correlationID: decoded.correlationID,
            clientID: decoded.clientID,
            into: &out
        )
    }
}
