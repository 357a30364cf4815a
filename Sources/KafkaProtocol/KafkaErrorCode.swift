/// A Kafka protocol error code (`int16` on the wire), with names for the codes of README §6.
///
/// A struct rather than an enum: a client decodes whatever code a broker sends, including codes
/// this list does not name, and must not fail to parse a response because of one. Named codes
/// still work in `switch` (`case .unknownTopicOrPartition:`) through `Equatable` matching.
public struct KafkaErrorCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: Int16

    public init(rawValue: Int16) {
        self.rawValue = rawValue
    }

    /// Success.
    public static let none = KafkaErrorCode(rawValue: 0)
    /// Unexpected internal failure.
    public static let unknownServerError = KafkaErrorCode(rawValue: -1)
    /// Fetch offset below the log start or above the high watermark.
    public static let offsetOutOfRange = KafkaErrorCode(rawValue: 1)
    /// A produced batch fails its CRC, length or magic checks.
    public static let corruptMessage = KafkaErrorCode(rawValue: 2)
    /// Unknown topic or partition.
    public static let unknownTopicOrPartition = KafkaErrorCode(rawValue: 3)
    /// Used while a topic is being auto-created.
    public static let leaderNotAvailable = KafkaErrorCode(rawValue: 5)
    /// Called NOT_LEADER_FOR_PARTITION before Kafka 2.6.
    public static let notLeaderOrFollower = KafkaErrorCode(rawValue: 6)
    /// A batch larger than the maximum message size.
    public static let messageTooLarge = KafkaErrorCode(rawValue: 10)
    /// OFFSET_METADATA_TOO_LARGE: a committed offset's metadata string is over the limit.
    public static let offsetMetadataTooLarge = KafkaErrorCode(rawValue: 12)
    /// COORDINATOR_LOAD_IN_PROGRESS: the coordinator is still loading the group's state; retry.
    public static let coordinatorLoadInProgress = KafkaErrorCode(rawValue: 14)
    public static let coordinatorNotAvailable = KafkaErrorCode(rawValue: 15)
    public static let notCoordinator = KafkaErrorCode(rawValue: 16)
    /// INVALID_TOPIC_EXCEPTION: a topic name Kafka does not allow.
    public static let invalidTopic = KafkaErrorCode(rawValue: 17)
    /// INVALID_REQUIRED_ACKS: Produce acks other than 0, 1 and -1.
    public static let invalidRequiredAcks = KafkaErrorCode(rawValue: 21)
    public static let illegalGeneration = KafkaErrorCode(rawValue: 22)
    public static let inconsistentGroupProtocol = KafkaErrorCode(rawValue: 23)
    /// INVALID_GROUP_ID: an empty or otherwise unusable group id.
    public static let invalidGroupID = KafkaErrorCode(rawValue: 24)
    public static let unknownMemberId = KafkaErrorCode(rawValue: 25)
    /// INVALID_SESSION_TIMEOUT: a JoinGroup session timeout outside the broker's allowed range.
    public static let invalidSessionTimeout = KafkaErrorCode(rawValue: 26)
    public static let rebalanceInProgress = KafkaErrorCode(rawValue: 27)
    /// GROUP_AUTHORIZATION_FAILED: the principal may not act on the group (DeleteGroups while
    /// `admin-requests` is off).
    public static let groupAuthorizationFailed = KafkaErrorCode(rawValue: 30)
    /// CLUSTER_AUTHORIZATION_FAILED: the principal may not perform a cluster-level operation.
    public static let clusterAuthorizationFailed = KafkaErrorCode(rawValue: 31)
    /// ApiVersions at a version the broker does not speak (README §2, rule 1).
    public static let unsupportedVersion = KafkaErrorCode(rawValue: 35)
    /// TOPIC_ALREADY_EXISTS: CreateTopics for a topic that exists.
    public static let topicAlreadyExists = KafkaErrorCode(rawValue: 36)
    /// INVALID_PARTITIONS: a partition count below 1 (or one the broker does not allow).
    public static let invalidPartitions = KafkaErrorCode(rawValue: 37)
    /// INVALID_REPLICATION_FACTOR: a replication factor below 1 or above the number of brokers.
    public static let invalidReplicationFactor = KafkaErrorCode(rawValue: 38)
    /// INVALID_REPLICA_ASSIGNMENT: a manual assignment that is inconsistent or names unknown brokers.
    public static let invalidReplicaAssignment = KafkaErrorCode(rawValue: 39)
    /// INVALID_CONFIG: a topic configuration the broker rejects.
    public static let invalidConfig = KafkaErrorCode(rawValue: 40)
    /// A malformed request that can still be answered.
    public static let invalidRequest = KafkaErrorCode(rawValue: 42)
    /// POLICY_VIOLATION: the request breaks the broker's create-topic (or alter) policy.
    public static let policyViolation = KafkaErrorCode(rawValue: 44)
    public static let outOfOrderSequenceNumber = KafkaErrorCode(rawValue: 45)
    public static let duplicateSequenceNumber = KafkaErrorCode(rawValue: 46)
    /// INVALID_PRODUCER_EPOCH: an idempotent batch from an epoch older than the stored one.
    public static let invalidProducerEpoch = KafkaErrorCode(rawValue: 47)
    /// TRANSACTIONAL_ID_AUTHORIZATION_FAILED: the transactional id may not be used. Clients treat
    /// it as fatal (no retry), so it is how a broker without transactions refuses them.
    public static let transactionalIDAuthorizationFailed = KafkaErrorCode(rawValue: 53)
    /// KAFKA_STORAGE_ERROR: the broker's disk failed (or is full); the client retries.
    public static let kafkaStorageError = KafkaErrorCode(rawValue: 56)
    /// A producer id the broker keeps no state for sent a batch that does not start at sequence 0.
    public static let unknownProducerId = KafkaErrorCode(rawValue: 59)
    /// NON_EMPTY_GROUP: the group still has members (a group can only be deleted when empty).
    public static let nonEmptyGroup = KafkaErrorCode(rawValue: 68)
    /// GROUP_ID_NOT_FOUND: the group does not exist (DeleteGroups, OffsetDelete, DescribeGroups
    /// v6+; DescribeGroups v0–v4 report an unknown group as state "Dead" with no error).
    public static let groupIDNotFound = KafkaErrorCode(rawValue: 69)
    /// FETCH_SESSION_ID_NOT_FOUND: an incremental fetch (KIP-227) names a session the broker does
    /// not have; the client falls back to a full fetch.
    public static let fetchSessionIDNotFound = KafkaErrorCode(rawValue: 70)
    /// INVALID_FETCH_SESSION_EPOCH: an incremental fetch's epoch is not the next one of its
    /// (existing) session; the client falls back to a full fetch.
    public static let invalidFetchSessionEpoch = KafkaErrorCode(rawValue: 71)
    /// TOPIC_DELETION_DISABLED: DeleteTopics on a broker with `delete.topic.enable=false`
    /// (DeleteTopics v3+; older versions get INVALID_REQUEST instead).
    public static let topicDeletionDisabled = KafkaErrorCode(rawValue: 73)
    public static let unsupportedCompressionType = KafkaErrorCode(rawValue: 76)
    /// MEMBER_ID_REQUIRED: JoinGroup v4+ with an empty member id is answered with a fresh member
    /// id and this code; the client joins again with that id (KIP-394).
    public static let memberIDRequired = KafkaErrorCode(rawValue: 79)
    /// GROUP_MAX_SIZE_REACHED: joining would take the group past its configured maximum size.
    public static let groupMaxSizeReached = KafkaErrorCode(rawValue: 81)
    /// FENCED_INSTANCE_ID: another member has taken over this static member's group instance id.
    public static let fencedInstanceID = KafkaErrorCode(rawValue: 82)
    /// Record-level validation failure (an alternative to ``corruptMessage``).
    public static let invalidRecord = KafkaErrorCode(rawValue: 87)

    /// The Kafka name of a code listed above, `nil` for other codes.
    public var name: String? {
        switch rawValue {
        case 0: "NONE"
        case -1: "UNKNOWN_SERVER_ERROR"
        case 1: "OFFSET_OUT_OF_RANGE"
        case 2: "CORRUPT_MESSAGE"
        case 3: "UNKNOWN_TOPIC_OR_PARTITION"
        case 5: "LEADER_NOT_AVAILABLE"
        case 6: "NOT_LEADER_OR_FOLLOWER"
        case 10: "MESSAGE_TOO_LARGE"
        case 12: "OFFSET_METADATA_TOO_LARGE"
        case 14: "COORDINATOR_LOAD_IN_PROGRESS"
        case 15: "COORDINATOR_NOT_AVAILABLE"
        case 16: "NOT_COORDINATOR"
        case 17: "INVALID_TOPIC_EXCEPTION"
        case 21: "INVALID_REQUIRED_ACKS"
        case 22: "ILLEGAL_GENERATION"
        case 23: "INCONSISTENT_GROUP_PROTOCOL"
        case 24: "INVALID_GROUP_ID"
        case 25: "UNKNOWN_MEMBER_ID"
        case 26: "INVALID_SESSION_TIMEOUT"
        case 27: "REBALANCE_IN_PROGRESS"
        case 30: "GROUP_AUTHORIZATION_FAILED"
        case 31: "CLUSTER_AUTHORIZATION_FAILED"
        case 35: "UNSUPPORTED_VERSION"
        case 36: "TOPIC_ALREADY_EXISTS"
        case 37: "INVALID_PARTITIONS"
        case 38: "INVALID_REPLICATION_FACTOR"
        case 39: "INVALID_REPLICA_ASSIGNMENT"
        case 40: "INVALID_CONFIG"
        case 42: "INVALID_REQUEST"
        case 44: "POLICY_VIOLATION"
        case 45: "OUT_OF_ORDER_SEQUENCE_NUMBER"
        case 46: "DUPLICATE_SEQUENCE_NUMBER"
        case 47: "INVALID_PRODUCER_EPOCH"
        case 53: "TRANSACTIONAL_ID_AUTHORIZATION_FAILED"
        case 56: "KAFKA_STORAGE_ERROR"
        case 59: "UNKNOWN_PRODUCER_ID"
        case 68: "NON_EMPTY_GROUP"
        case 69: "GROUP_ID_NOT_FOUND"
        case 73: "TOPIC_DELETION_DISABLED"
        case 76: "UNSUPPORTED_COMPRESSION_TYPE"
        case 79: "MEMBER_ID_REQUIRED"
        case 81: "GROUP_MAX_SIZE_REACHED"
        case 82: "FENCED_INSTANCE_ID"
        case 87: "INVALID_RECORD"
        default: nil
        }
    }

    public var description: String {
        if let name { "\(name) (\(rawValue))" } else { "error \(rawValue)" }
    }
}
