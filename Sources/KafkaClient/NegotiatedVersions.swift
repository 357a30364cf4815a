import KafkaProtocol

/// The version of each API this connection uses: the highest version both sides speak,
/// `min(client max, broker max)` when the ranges overlap — the rule librdkafka and kafka-python
/// follow (README §3). Computed once per connection from the broker's ApiVersions answer.
public struct NegotiatedVersions: Sendable, Equatable {
    /// What this client can encode and decode: the codec ranges of `KafkaProtocol`, except
    /// ApiVersions, which is capped at 2 so the handshake never needs a flexible (v3) request.
    public static let clientRanges: [ApiKey: ClosedRange<Int16>] = [
        .produce: ProduceRequest.versions,
        .fetch: FetchRequest.versions,
        .listOffsets: ListOffsetsRequest.versions,
        .metadata: MetadataRequest.versions,
        .offsetCommit: OffsetCommitRequest.versions,
        .offsetFetch: OffsetFetchRequest.versions,
        .findCoordinator: FindCoordinatorRequest.versions,
        .joinGroup: JoinGroupRequest.versions,
        .syncGroup: SyncGroupRequest.versions,
        .heartbeat: HeartbeatRequest.versions,
        .leaveGroup: LeaveGroupRequest.versions,
        .describeGroups: DescribeGroupsRequest.versions,
        .initProducerId: InitProducerIdRequest.versions,
        .createTopics: CreateTopicsRequest.versions,
        .apiVersions: 0...2,
    ]

    /// What the broker advertised.
    public let broker: ApiVersionsTable
    /// What this side offered.
    public let client: [ApiKey: ClosedRange<Int16>]
    /// The chosen version per API; APIs without overlap are absent.
    public let versions: [ApiKey: Int16]

    public init(broker: ApiVersionsTable, client: [ApiKey: ClosedRange<Int16>] = NegotiatedVersions.clientRanges) {
        self.broker = broker
        self.client = client
        var versions: [ApiKey: Int16] = [:]
        for (apiKey, ours) in client {
            if let chosen = broker.negotiatedVersion(of: apiKey, clientVersions: ours) {
                versions[apiKey] = chosen
            }
        }
        self.versions = versions
    }

    /// The version to send `apiKey` at.
    ///
    /// - Throws: ``KafkaClientError/unsupportedApi(api:broker:client:)`` naming both ranges when
    ///   they do not overlap, the broker does not list the API, or this client has no codec for it.
    public func version(of apiKey: ApiKey) throws(KafkaClientError) -> Int16 {
        if let version = versions[apiKey] { return version }
        throw .unsupportedApi(api: apiKey, broker: broker.versions(of: apiKey), client: client[apiKey])
    }
}
