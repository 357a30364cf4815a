/// The Kafka API keys of the reference pack (`reference/kafka/messages/*.json`, Kafka 3.8.0),
/// plus DeleteTopics (20) and DeleteGroups (42), which the pack has no JSON for (their
/// thresholds are Kafka's).
///
/// A request header carries the key as a raw `int16`; keys not listed here have no case, so
/// ``RequestHeader/apiKey`` is optional and ``RequestHeader/apiKeyCode`` keeps the raw value for
/// logging before the connection is closed (README §2.3).
public enum ApiKey: Int16, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case produce = 0
    case fetch = 1
    case listOffsets = 2
    case metadata = 3
    case offsetCommit = 8
    case offsetFetch = 9
    case findCoordinator = 10
    case joinGroup = 11
    case heartbeat = 12
    case leaveGroup = 13
    case syncGroup = 14
    case describeGroups = 15
    case listGroups = 16
    case saslHandshake = 17
    case apiVersions = 18
    case createTopics = 19
    case deleteTopics = 20
    case initProducerId = 22
    case offsetForLeaderEpoch = 23
    case deleteGroups = 42

    /// The first version whose messages are "flexible" (KIP-482: compact strings and arrays,
    /// tagged fields, request header v2), from each message's `flexibleVersions`; `nil` when the
    /// API is never flexible.
    public var firstFlexibleVersion: Int16? {
        switch self {
        case .produce: 9
        case .fetch: 12
        case .listOffsets: 6
        case .metadata: 9
        case .offsetCommit: 8
        case .offsetFetch: 6
        case .findCoordinator: 3
        case .joinGroup: 6
        case .heartbeat: 4
        case .leaveGroup: 4
        case .syncGroup: 4
        case .describeGroups: 5
        case .listGroups: 3
        case .saslHandshake: nil
        case .apiVersions: 3
        case .createTopics: 5
        case .deleteTopics: 4
        case .initProducerId: 2
        case .offsetForLeaderEpoch: 4
        case .deleteGroups: 2
        }
    }

    /// Whether `version` of this API uses the flexible encoding.
    public func isFlexible(_ version: Int16) -> Bool {
        guard let first = firstFlexibleVersion else { return false }
        return version >= first
    }

    /// Request header version for `version`: 2 when flexible (adds a tag buffer), otherwise 1.
    public func requestHeaderVersion(_ version: Int16) -> Int16 {
        isFlexible(version) ? 2 : 1
    }

    /// Response header version for `version`: 1 when flexible, otherwise 0 — except ApiVersions,
    /// whose responses always use header v0 so that a client can read the error code of a
    /// version it is not sure the broker speaks (README §2, rule 2).
    public func responseHeaderVersion(_ version: Int16) -> Int16 {
        if self == .apiVersions { return 0 }
        return isFlexible(version) ? 1 : 0
    }

    public var description: String {
        switch self {
        case .produce: "Produce"
        case .fetch: "Fetch"
        case .listOffsets: "ListOffsets"
        case .metadata: "Metadata"
        case .offsetCommit: "OffsetCommit"
        case .offsetFetch: "OffsetFetch"
        case .findCoordinator: "FindCoordinator"
        case .joinGroup: "JoinGroup"
        case .heartbeat: "Heartbeat"
        case .leaveGroup: "LeaveGroup"
        case .syncGroup: "SyncGroup"
        case .describeGroups: "DescribeGroups"
        case .listGroups: "ListGroups"
        case .saslHandshake: "SaslHandshake"
        case .apiVersions: "ApiVersions"
        case .createTopics: "CreateTopics"
        case .deleteTopics: "DeleteTopics"
        case .initProducerId: "InitProducerId"
        case .offsetForLeaderEpoch: "OffsetForLeaderEpoch"
        case .deleteGroups: "DeleteGroups"
        }
    }
}
