import KafkaProtocol
import Testing

struct KafkaErrorCodeTests {
    /// README §6 table: code, name.
    @Test(arguments: [
        (KafkaErrorCode.none, Int16(0), "NONE"), (.unknownServerError, -1, "UNKNOWN_SERVER_ERROR"),
        (.offsetOutOfRange, 1, "OFFSET_OUT_OF_RANGE"), (.corruptMessage, 2, "CORRUPT_MESSAGE"),
        (.unknownTopicOrPartition, 3, "UNKNOWN_TOPIC_OR_PARTITION"), (.messageTooLarge, 10, "MESSAGE_TOO_LARGE"),
        (.illegalGeneration, 22, "ILLEGAL_GENERATION"), (.unknownMemberId, 25, "UNKNOWN_MEMBER_ID"),
        (.rebalanceInProgress, 27, "REBALANCE_IN_PROGRESS"), (.unsupportedVersion, 35, "UNSUPPORTED_VERSION"),
        (.invalidRequest, 42, "INVALID_REQUEST"), (.unsupportedCompressionType, 76, "UNSUPPORTED_COMPRESSION_TYPE"),
        (.invalidRecord, 87, "INVALID_RECORD"),
        (.transactionalIDAuthorizationFailed, 53, "TRANSACTIONAL_ID_AUTHORIZATION_FAILED"),
    ])
    func codesMatchTheReadme(_ code: KafkaErrorCode, _ raw: Int16, _ name: String) {
        #expect(code.rawValue == raw)
        #expect(code.name == name)
    }

    /// The codes of the consumer-group APIs (JoinGroup, SyncGroup, Heartbeat, LeaveGroup,
    /// ListGroups, DescribeGroups and the coordinator lookup), numbers from Kafka's `Errors`.
    @Test(arguments: [
        (KafkaErrorCode.coordinatorLoadInProgress, Int16(14), "COORDINATOR_LOAD_IN_PROGRESS"),
        (.coordinatorNotAvailable, 15, "COORDINATOR_NOT_AVAILABLE"), (.notCoordinator, 16, "NOT_COORDINATOR"),
        (.illegalGeneration, 22, "ILLEGAL_GENERATION"), (.inconsistentGroupProtocol, 23, "INCONSISTENT_GROUP_PROTOCOL"),
        (.invalidGroupID, 24, "INVALID_GROUP_ID"), (.unknownMemberId, 25, "UNKNOWN_MEMBER_ID"),
        (.invalidSessionTimeout, 26, "INVALID_SESSION_TIMEOUT"), (.rebalanceInProgress, 27, "REBALANCE_IN_PROGRESS"),
        (.nonEmptyGroup, 68, "NON_EMPTY_GROUP"), (.groupIDNotFound, 69, "GROUP_ID_NOT_FOUND"),
        (.memberIDRequired, 79, "MEMBER_ID_REQUIRED"), (.groupMaxSizeReached, 81, "GROUP_MAX_SIZE_REACHED"),
        (.fencedInstanceID, 82, "FENCED_INSTANCE_ID"), (.unknownServerError, -1, "UNKNOWN_SERVER_ERROR"),
    ])
    func groupCodes(_ code: KafkaErrorCode, _ raw: Int16, _ name: String) {
        #expect(code.rawValue == raw)
        #expect(code.name == name)
    }

    /// The codes of CreateTopics and DeleteTopics, numbers from Kafka's `Errors`.
    @Test(arguments: [
        (KafkaErrorCode.clusterAuthorizationFailed, Int16(31), "CLUSTER_AUTHORIZATION_FAILED"), (.groupAuthorizationFailed, 30, "GROUP_AUTHORIZATION_FAILED"),
        (.topicAlreadyExists, 36, "TOPIC_ALREADY_EXISTS"), (.invalidPartitions, 37, "INVALID_PARTITIONS"),
        (.invalidReplicationFactor, 38, "INVALID_REPLICATION_FACTOR"),
        (.invalidReplicaAssignment, 39, "INVALID_REPLICA_ASSIGNMENT"), (.invalidConfig, 40, "INVALID_CONFIG"),
        (.policyViolation, 44, "POLICY_VIOLATION"), (.topicDeletionDisabled, 73, "TOPIC_DELETION_DISABLED"),
        (.invalidTopic, 17, "INVALID_TOPIC_EXCEPTION"), (.unknownTopicOrPartition, 3, "UNKNOWN_TOPIC_OR_PARTITION"),
    ])
    func topicAdminCodes(_ code: KafkaErrorCode, _ raw: Int16, _ name: String) {
        #expect(code.rawValue == raw)
        #expect(code.name == name)
    }

    @Test func unnamedCodesSurvive() {
        let code = KafkaErrorCode(rawValue: 7)
        #expect(code.name == nil)
        #expect(code.description == "error 7")
        let matched: Bool
        switch KafkaErrorCode(rawValue: 3) {
        case .unknownTopicOrPartition: matched = true
        default: matched = false
        }
        #expect(matched)
    }
}
