import KafkaProtocol
import NIOCore

extension RequestDispatcher {
    /// Longest commit metadata stored (Kafka's `offset.metadata.max.bytes` default).
    static let maxCommitMetadataBytes = 4096

    /// OffsetCommit, from simple consumers (generation -1, accepted while the group has no
    /// members) and from group members (generation-checked by the `GroupCoordinator`: a stale
    /// generation gets ILLEGAL_GENERATION, an unknown member UNKNOWN_MEMBER_ID, a commit during
    /// a rebalance REBALANCE_IN_PROGRESS). The commits of existing partitions are stored
    /// together, durably, before the answer; unknown partitions get UNKNOWN_TOPIC_OR_PARTITION
    /// and are not stored.
    func offsetCommit(_ request: KafkaRequest) throws -> DispatchOutcome {
        var body = request.body
        let decoded = try OffsetCommitRequest(from: &body, version: request.header.apiVersion)
        var codes: [String: [Int32: KafkaErrorCode]] = [:]
        var accepted: [(topic: String, partition: Int32, commit: CommittedOffsetStore.Commit)] = []
        let membership =
            coordinatesGroups
            ? node.groups.checkCommit(groupID: decoded.groupID, generationID: decoded.generationID, memberID: decoded.memberID)
            : .notCoordinator
        for topic in decoded.topics {
            for partition in topic.partitions {
                let code: KafkaErrorCode
                if membership != .none {
                    code = membership
                } else if node.catalog.partition(topic.name, partition.partitionIndex) == nil {
                    code = .unknownTopicOrPartition
                } else if (partition.committedMetadata?.utf8.count ?? 0) > Self.maxCommitMetadataBytes {
                    code = .offsetMetadataTooLarge
                } else {
                    code = .none
                    accepted.append(
                        (
                            topic.name, partition.partitionIndex,
                            CommittedOffsetStore.Commit(
                                offset: partition.committedOffset,
                                metadata: partition.committedMetadata
                            )
                        )
                    )
                }
                codes[topic.name, default: [:]][partition.partitionIndex] = code
            }
        }
        var storeFailure: KafkaErrorCode?
        if !accepted.isEmpty {
            do {
                try node.committedOffsets.commit(group: decoded.groupID, accepted)
            } catch CommittedOffsetStore.Rejection.invalidGroupID {
                storeFailure = .invalidGroupID
            } catch CommittedOffsetStore.Rejection.tooManyGroups {
                logger.warning("max-groups reached; commit refused", metadata: ["group": "\(decoded.groupID)"])
                storeFailure = .coordinatorNotAvailable
            } catch {
                logger.error(
                    "storing committed offsets failed",
                    metadata: ["group": "\(decoded.groupID)", "error": "\(error)"]
                )
                storeFailure = .kafkaStorageError
            }
        }
        let topics = decoded.topics.map { topic in
            OffsetCommitResponse.Topic(
                name: topic.name,
                partitions: topic.partitions.map { partition in
                    var code = codes[topic.name]?[partition.partitionIndex] ?? .none
                    if code == .none, let storeFailure { code = storeFailure }
                    return OffsetCommitResponse.Partition(
                        partitionIndex: partition.partitionIndex,
                        errorCode: answered(code)
                    )
                }
            )
        }
        return .response(try frame(OffsetCommitResponse(topics: topics), answering: request.header))
    }
}
