import KafkaProtocol
import NIOCore
import SegmentStore

extension RequestDispatcher {
    /// Metadata: ourselves as the only broker (at the advertised host and the bound port, where
    /// clients connect next) or, under a cluster map, every broker of the map with each
    /// partition's leader; the cluster id, and the topics asked for — all of them for a null
    /// list (`kcat -L`), none for an empty one. An unknown topic is created when auto-creation is
    /// on and the request allows it (v4 `allow_auto_topic_creation`; librdkafka consumers send
    /// false), otherwise answered UNKNOWN_TOPIC_OR_PARTITION.
    func metadata(_ request: KafkaRequest) throws -> DispatchOutcome {
        var body = request.body
        let decoded = try MetadataRequest(from: &body, version: request.header.apiVersion)
        let nodeID = configuration.nodeID
        let map = configuration.clusterMap
        var topics: [MetadataResponse.Topic] = []
        if let names = decoded.topics {
            for name in names {
                switch partitionCount(of: name, autoCreate: decoded.allowAutoTopicCreation) {
                case .success(let count):
                    topics.append(Self.describe(name, partitionCount: count, nodeID: nodeID, map: map))
                case .failure(let error):
                    topics.append(MetadataResponse.Topic(errorCode: error.code, name: name, partitions: []))
                }
            }
        } else {
            topics = node.catalog.topics.map {
                Self.describe($0.name, partitionCount: $0.partitionCount, nodeID: nodeID, map: map)
            }
        }
        let brokers = (map?.brokers.map(Optional.some) ?? [nil]).map { broker in
            let (host, port) = address(of: broker)
            return MetadataResponse.Broker(nodeID: broker?.id ?? nodeID, host: host, port: port)
        }
        let response = MetadataResponse(
            brokers: brokers,
            clusterID: node.clusterID,
            controllerID: map?.coordinator.id ?? nodeID,
            topics: topics
        )
        return .response(try frame(response, answering: request.header))
    }

    /// A topic's partitions with their leader: this broker, or the map's (no replicas beyond it).
    private static func describe(_ name: String, partitionCount: Int, nodeID: Int32, map: ClusterMap?)
        -> MetadataResponse.Topic
    {
        MetadataResponse.Topic(
            name: name,
            partitions: (0..<Int32(partitionCount)).map { index in
                let leader = map?.leader(of: index).id ?? nodeID
                return MetadataResponse.Partition(
                    partitionIndex: index,
                    leaderID: leader,
                    replicaNodes: [leader],
                    isrNodes: [leader]
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
            case .topicLimit, .partitionLimit, .autoCreateDisabled, .alreadyExists, .beingDeleted:
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
