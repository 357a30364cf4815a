import KafkaProtocol
import NIOCore

extension RequestDispatcher {
    /// CreateTopics: each topic created with its partition count (-1: `default-partitions`),
    /// or checked only (`validate_only`). Answered per topic: TOPIC_ALREADY_EXISTS,
    /// INVALID_PARTITIONS (< 1), INVALID_REPLICATION_FACTOR (above 1: there is no replication),
    /// INVALID_REPLICA_ASSIGNMENT (manual assignments are not supported), INVALID_CONFIG (no
    /// per-topic configs), INVALID_TOPIC_EXCEPTION, POLICY_VIOLATION for the topic and
    /// partition limits and under a cluster map (whose brokers do not create topics together:
    /// there topics come from `default-partitions` on every broker), and
    /// CLUSTER_AUTHORIZATION_FAILED when `admin-requests` is off. Blocking file I/O: runs on the
    /// storage executor.
    func createTopics(_ request: KafkaRequest) throws -> DispatchOutcome {
        var body = request.body
        let decoded = try CreateTopicsRequest(from: &body, version: request.header.apiVersion)
        let topics = decoded.topics.map { topic -> CreateTopicsResponse.Topic in
            let (code, message) = createTopic(topic, validateOnly: decoded.validateOnly)
            return CreateTopicsResponse.Topic(name: topic.name, errorCode: answered(code), errorMessage: message)
        }
        return .response(try frame(CreateTopicsResponse(topics: topics), answering: request.header))
    }

    private func createTopic(_ topic: CreateTopicsRequest.Topic, validateOnly: Bool) -> (KafkaErrorCode, String?) {
        guard configuration.adminRequests != .off else {
            return (.clusterAuthorizationFailed, "admin requests are off on this broker (admin-requests)")
        }
        guard configuration.clusterMap == nil else {
            return (
                .policyViolation,
                "under a cluster map topics are created by default-partitions on every broker"
            )
        }
        let count = topic.numPartitions == -1 ? configuration.defaultPartitions : Int(topic.numPartitions)
        guard count >= 1 else { return (.invalidPartitions, "a topic needs at least 1 partition") }
        guard topic.replicationFactor == -1 || topic.replicationFactor == 1 else {
            return (.invalidReplicationFactor, "this broker keeps one copy of each partition (replication factor 1)")
        }
        guard topic.assignments.isEmpty else {
            return (.invalidReplicaAssignment, "manual replica assignments are not supported")
        }
        guard topic.configs.isEmpty else {
            return (.invalidConfig, "per-topic configs are not supported (the broker's settings apply)")
        }
        do throws(TopicCatalog.CreationError) {
            try node.catalog.create(topic.name, partitionCount: count, validateOnly: validateOnly)
            if !validateOnly {
                logger.info("topic created by request", metadata: ["topic": "\(topic.name)", "partitions": "\(count)"])
            }
            return (.none, nil)
        } catch {
            switch error {
            case .alreadyExists: return (.topicAlreadyExists, "\(error)")
            case .invalidName: return (.invalidTopic, "\(error)")
            case .topicLimit, .partitionLimit, .autoCreateDisabled: return (.policyViolation, "\(error)")
            case .beingDeleted: return (.unknownServerError, "\(error); try again")
            case .storage: return (.kafkaStorageError, "\(error)")
            }
        }
    }
}

extension RequestDispatcher {
    /// DeleteTopics: each topic deleted (`TopicCatalog.delete`) with the groups' commits of it,
    /// answered per topic:
    /// UNKNOWN_TOPIC_OR_PARTITION, TOPIC_DELETION_DISABLED unless `admin-requests` is `all`,
    /// POLICY_VIOLATION under a cluster map (its brokers do not delete together), and
    /// KAFKA_STORAGE_ERROR when the files could not be removed. Blocking file I/O: runs on the
    /// storage executor.
    func deleteTopics(_ request: KafkaRequest) throws -> DispatchOutcome {
        var body = request.body
        let decoded = try DeleteTopicsRequest(from: &body, version: request.header.apiVersion)
        let responses = decoded.topicNames.map { name -> DeleteTopicsResponse.Response in
            DeleteTopicsResponse.Response(name: name, errorCode: answered(deleteTopic(name)))
        }
        return .response(try frame(DeleteTopicsResponse(responses: responses), answering: request.header))
    }

    private func deleteTopic(_ name: String) -> KafkaErrorCode {
        guard configuration.adminRequests == .all else { return .topicDeletionDisabled }
        guard configuration.clusterMap == nil else { return .policyViolation }
        do {
            guard try node.catalog.delete(name) else { return .unknownTopicOrPartition }
            try node.committedOffsets.forget(topic: name)
            return .none
        } catch {
            logger.error("deleting a topic failed", metadata: ["topic": "\(name)", "error": "\(error)"])
            return .kafkaStorageError
        }
    }
}
