/// One row of an ApiVersions response: the versions of one API a broker accepts.
///
/// The key is kept raw because a client reads tables from real brokers that list APIs this
/// library has no case for.
public struct ApiVersionRange: Sendable, Hashable {
    public var apiKeyCode: Int16
    public var minVersion: Int16
    public var maxVersion: Int16

    public init(apiKeyCode: Int16, minVersion: Int16, maxVersion: Int16) {
        self.apiKeyCode = apiKeyCode
        self.minVersion = minVersion
        self.maxVersion = maxVersion
    }

    public init(_ apiKey: ApiKey, _ versions: ClosedRange<Int16>) {
        self.init(apiKeyCode: apiKey.rawValue, minVersion: versions.lowerBound, maxVersion: versions.upperBound)
    }

    public var apiKey: ApiKey? { ApiKey(rawValue: apiKeyCode) }

    /// `nil` when a broker sends min > max.
    public var versions: ClosedRange<Int16>? {
        minVersion <= maxVersion ? minVersion...maxVersion : nil
    }
}

/// What the broker advertises in ApiVersions, sorted by API key (README §4).
///
/// The ranges are load-bearing: librdkafka 2.0.2 turns features on only when ours overlap fixed
/// windows (Produce 3 and Fetch 4 for RecordBatch v2, FindCoordinator 0 for LZ4, the group APIs
/// at 0 for `-G`), and kafka-python infers a broker version from them (Metadata 4 for RecordBatch
/// v2; Fetch 10 for 2.1, below which it refuses zstd). Clients only send what is listed, so a
/// table must list nothing the server cannot answer.
public struct ApiVersionsTable: Sendable, Equatable {
    /// Sorted by API key, one row per key.
    public private(set) var ranges: [ApiVersionRange]

    public init(_ ranges: [ApiVersionRange]) {
        var byKey: [Int16: ApiVersionRange] = [:]
        for range in ranges { byKey[range.apiKeyCode] = range }
        self.ranges = byKey.values.sorted { $0.apiKeyCode < $1.apiKeyCode }
    }

    /// README §4 "Minimal": the smallest surface all three clients accept (min = max mostly).
    public static let minimal = ApiVersionsTable([
        ApiVersionRange(.produce, 3...3),
        ApiVersionRange(.fetch, 4...4),
        ApiVersionRange(.listOffsets, 1...1),
        ApiVersionRange(.metadata, 4...4),
        ApiVersionRange(.offsetCommit, 2...2),
        ApiVersionRange(.offsetFetch, 1...1),
        ApiVersionRange(.findCoordinator, 0...0),
        ApiVersionRange(.joinGroup, 0...0),
        ApiVersionRange(.heartbeat, 0...0),
        ApiVersionRange(.leaveGroup, 0...0),
        ApiVersionRange(.syncGroup, 0...0),
        ApiVersionRange(.apiVersions, 0...2),
        ApiVersionRange(.initProducerId, 0...0),
    ])

    /// README §4 "Comfortable": small non-flexible ranges (ApiVersions 0–3 is the only flexible
    /// one), grown for the group APIs up to where static membership starts (the ranges lie
    /// within each codec's `versions`; the reference README's table stops at JoinGroup 2,
    /// Heartbeat/LeaveGroup/SyncGroup 1, and leaves DescribeGroups/ListGroups out). A server
    /// advertises `comfortable.restricted(to:)` its implemented keys.
    public static let comfortable = ApiVersionsTable([
        ApiVersionRange(.produce, ProduceRequest.versions),
        // Fetch up to 11, the last non-flexible version, answered without fetch sessions (session
        // id 0 always, KIP-227). kafka-python 2.0.2 picks its broker version from the first of
        // Fetch 11 → 2.3, ListOffsets 5 → 2.2, Fetch 10 → 2.1, Fetch 8 → 2.0, Fetch 7 → 1.1,
        // Metadata 5 → 1.0, Metadata 4 → 0.11 that we list; with Fetch 11 it takes us for 2.3,
        // which allows compression_type='zstd' (it requires ≥ 2.1). Nothing it sends depends on
        // more than 2.1: Produce 7, Fetch 4, ListOffsets 1, Metadata 1, OffsetCommit 2,
        // OffsetFetch 1, FindCoordinator 0, JoinGroup 2, SyncGroup/Heartbeat/LeaveGroup 1, all
        // listed here. librdkafka then fetches with v11 too.
        ApiVersionRange(.fetch, FetchRequest.versions),
        ApiVersionRange(.listOffsets, ListOffsetsRequest.versions),
        ApiVersionRange(.metadata, MetadataRequest.versions),
        ApiVersionRange(.offsetCommit, OffsetCommitRequest.versions),
        ApiVersionRange(.offsetFetch, OffsetFetchRequest.versions),
        ApiVersionRange(.findCoordinator, FindCoordinatorRequest.versions),
        // Group APIs below the versions that bring static membership (group.instance.id) and
        // JoinGroup's two-step join (v4+, KIP-394): the codecs read those, the coordinator does
        // not implement them, so they are not offered.
        ApiVersionRange(.joinGroup, 0...3),
        ApiVersionRange(.heartbeat, 0...2),
        ApiVersionRange(.leaveGroup, 0...2),
        ApiVersionRange(.syncGroup, 0...2),
        ApiVersionRange(.describeGroups, DescribeGroupsRequest.versions),
        ApiVersionRange(.listGroups, ListGroupsRequest.versions),
        ApiVersionRange(.createTopics, CreateTopicsRequest.versions),
        ApiVersionRange(.deleteTopics, DeleteTopicsRequest.versions),
        ApiVersionRange(.deleteGroups, DeleteGroupsRequest.versions),
        ApiVersionRange(.apiVersions, ApiVersionsRequest.versions),
        ApiVersionRange(.initProducerId, InitProducerIdRequest.versions),
    ])

    /// The advertised versions of `apiKey`, or `nil` when it is not listed.
    public func versions(of apiKey: ApiKey) -> ClosedRange<Int16>? {
        ranges.first { $0.apiKeyCode == apiKey.rawValue }?.versions
    }

    /// Whether a request of `apiKey` at `version` is one we advertised.
    public func supports(_ apiKey: ApiKey, version: Int16) -> Bool {
        versions(of: apiKey)?.contains(version) ?? false
    }

    /// This table without the APIs outside `keys`.
    public func restricted(to keys: Set<ApiKey>) -> ApiVersionsTable {
        ApiVersionsTable(ranges.filter { range in range.apiKey.map(keys.contains) ?? false })
    }

    /// The version a client should use for `apiKey`: the highest both sides support, or `nil`
    /// when the ranges do not overlap (or the broker does not list the API).
    public func negotiatedVersion(of apiKey: ApiKey, clientVersions: ClosedRange<Int16>) -> Int16? {
        guard let ours = versions(of: apiKey), ours.overlaps(clientVersions) else { return nil }
        return min(ours.upperBound, clientVersions.upperBound)
    }
}
