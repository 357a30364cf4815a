import KafkaProtocol
import NIOCore
import SegmentStore

extension RequestDispatcher {
    /// Metadata: ourselves as the only broker (at the advertised host and the bound port, where
    /// clients connect next), the cluster id, and the topics asked for — all of them for a null
    /// list (`kcat -L`), none for an empty one. An unknown topic is created when auto-creation is
    /// on and the request allows it (v4 `allow_auto_topic_creation`; librdkafka consumers send
    /// false), otherwise answered UNKNOWN_TOPIC_OR_PARTITION.
    func metadata(_ request: KafkaRequest) throws -> DispatchOutcome {
        var body = request.body
        let decoded = try MetadataRequest(from: &body, version: request.header.apiVersion)
        let nodeID = configuration.nodeID
        var topics: [MetadataResponse.Topic] = []
        if let names = decoded.topics {
            for name in names {
                switch partitionCount(of: name, autoCreate: decoded.allowAutoTopicCreation) {
                case .success(let count):
                    topics.append(Self.describe(name, partitionCount: count, nodeID: nodeID))
                case .failure(let error):
                    topics.append(MetadataResponse.Topic(errorCode: error.code, name: name, partitions: []))
                }
            }
        } else {
            topics = node.catalog.topics.map {
                Self.describe($0.name, partitionCount: $0.partitionCount, nodeID: nodeID)
            }
        }
        let response = MetadataResponse(
            brokers: [
                MetadataResponse.Broker(
                    nodeID: nodeID,
                    host: configuration.effectiveAdvertisedHost,
                    port: Int32(node.advertisedPort)
                )
            ],
            clusterID: node.clusterID,
            controllerID: nodeID,
            topics: topics
        )
        return .response(try frame(response, answering: request.header))
    }

    private static func describe(_ name: String, partitionCount: Int, nodeID: Int32) -> MetadataResponse.Topic {
        MetadataResponse.Topic(
            name: name,
            partitions: (0..<Int32(partitionCount)).map { index in
                MetadataResponse.Partition(
                    partitionIndex: index,
                    leaderID: nodeID,
                    replicaNodes: [nodeID],
                    isrNodes: [nodeID]
                )
            }
        )
    }

    private func partitionCount(of topic: String, autoCreate: Bool) -> Result<Int, AnsweredError> {
        topicPartitions(topic, autoCreate: autoCreate).map { $0.count }
    }

    /// The partitions of `topic`, creating the topic when allowed. Failures come back as the
    /// topic-level error code to answer (and are counted).
    func topicPartitions(_ topic: String, autoCreate: Bool) -> Result<[Partition], AnsweredError> {
        if let partitions = node.catalog.partitions(of: topic) { return .success(partitions) }
        guard autoCreate, configuration.autoCreateTopics else { return .failure(fail(.unknownTopicOrPartition)) }
        do throws(TopicCatalog.CreationError) {
            return .success(try node.catalog.partitions(of: topic, creatingWith: configuration.defaultPartitions))
        } catch {
            switch error {
            case .invalidName:
                return .failure(fail(.invalidTopic))
            case .topicLimit, .partitionLimit, .autoCreateDisabled:
                logger.warning("topic not created", metadata: ["topic": "\(topic)", "reason": "\(error)"])
                return .failure(fail(.unknownTopicOrPartition))
            case .storage:
                logger.error("topic not created", metadata: ["topic": "\(topic)", "reason": "\(error)"])
                return .failure(fail(.kafkaStorageError))
            }
        }
    }
}

/// A Kafka error code to answer, as an `Error` so lookups can return `Result`.
struct AnsweredError: Error, Equatable {
    var code: KafkaErrorCode
}

extension RequestDispatcher {
    /// Counts `code` and wraps it.
    func fail(_ code: KafkaErrorCode) -> AnsweredError {
        AnsweredError(code: answered(code))
    }
}
