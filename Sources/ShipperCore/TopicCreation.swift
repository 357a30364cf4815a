import KafkaClient
import KafkaProtocol
import Logging

/// The shipper's `partitions` setting: the topic is created with that many partitions when the
/// broker does not have it yet.
enum TopicCreation {
    /// With `partitions` set: creates the topic with that count when the broker does not know it
    /// yet (before Metadata could auto-create it with the broker's default), and says so when
    /// an existing topic has another count. A broker that refuses CreateTopics (admin requests
    /// off, an older Kafka) leaves the topic to auto-creation, with a warning.
    static func ensure(
        _ topic: String, partitions: Int32, client: KafkaClient, logger: Logger
    ) async throws(KafkaClientError) {
        let metadata = try await client.metadata(topics: [topic], allowAutoTopicCreation: false)
        if let entry = metadata.topics.first(where: { $0.name == topic }), entry.errorCode == .none,
            !entry.partitions.isEmpty
        {
            if entry.partitions.count != Int(partitions) {
                logger.warning(
                    "the topic exists with another partition count; keeping it",
                    metadata: ["topic": "\(topic)", "partitions": "\(entry.partitions.count)", "wanted": "\(partitions)"])
            }
            return
        }
        do {
            let answer = try await client.createTopic(topic, partitions: partitions)
            switch answer.errorCode {
            case .none:
                logger.notice("created the topic", metadata: ["topic": "\(topic)", "partitions": "\(partitions)"])
            case .topicAlreadyExists:
                break
            default:
                logger.warning(
                    "the broker did not create the topic; leaving it to auto-creation",
                    metadata: [
                        "topic": "\(topic)", "error": "\(answer.errorCode)", "message": "\(answer.errorMessage ?? "")",
                    ])
            }
        } catch .unsupportedApi {
            logger.warning(
                "the broker does not offer CreateTopics; leaving the topic to auto-creation",
                metadata: ["topic": "\(topic)"])
        }
    }

}
