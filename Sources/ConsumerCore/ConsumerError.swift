/// Why the consumer stopped. Each case names what an operator must look at; none carries a
/// password (shards are named by id and redacted connection string).
public enum ConsumerError: Error, Sendable, CustomStringConvertible {
    /// A progress row was written against another broker: the broker's data was wiped or
    /// replaced, so its offsets no longer mean what the shards counted (DESIGN §10.6).
    case clusterChanged(shard: Int, partition: Int32, stored: String, broker: String)
    /// The broker's log of a partition ends before the progress the shards hold.
    case logBehindProgress(partition: Int32, highWatermark: Int64, progress: Int64)
    /// Every partition this consumer had was taken over by another consumer (DESIGN §10.5).
    case allPartitionsFenced(partitions: [Int32])
    /// `--partitions` names partitions the topic does not have.
    case unknownPartitions([Int32], topic: String, partitionCount: Int)
    /// Shards were added to the list while the others' progress differs (no drain first).
    case reshardWithoutDrain(partition: Int32, newShards: [Int], offsets: [Int64])
    /// A shard's connection string cannot be parsed (the message never holds the password).
    case invalidShard(shard: Int, reason: String)
    /// A shard's schema is missing or of another version (run `edgelog db init`).
    case schema(shard: Int, description: String, reason: String)
    /// The broker answered a request with an error we cannot work around.
    case broker(String)

    public var description: String {
        switch self {
        case .clusterChanged(let shard, let partition, let stored, let broker):
            "shard \(shard) holds progress of partition \(partition) written against broker cluster \(stored), "
                + "but the broker is now cluster \(broker): its data was wiped or replaced. Nothing was written. "
                + "Counting its offsets again would double count; clear the consumer_progress rows deliberately "
                + "(and decide what to do with the counted rows) before consuming from the new broker."
        case .logBehindProgress(let partition, let highWatermark, let progress):
            "the broker's partition \(partition) ends at offset \(highWatermark), before the shards' progress "
                + "\(progress): the broker lost acknowledged data. Nothing was written."
        case .allPartitionsFenced(let partitions):
            "another consumer owns partitions \(partitions) (its progress moved past ours in the shards); stopped consuming them"
        case .unknownPartitions(let partitions, let topic, let count):
            "partitions \(partitions) do not exist in topic \(topic), which has \(count)"
        case .reshardWithoutDrain(let partition, let shards, let offsets):
            "shards \(shards) have no progress for partition \(partition) while the others are at offsets \(offsets): "
                + "adding shards needs a drain first (stop the consumer once every shard's progress is equal, "
                + "DESIGN §10.7); starting now would count records twice. Nothing was written."
        case .invalidShard(let shard, let reason):
            "shard \(shard): \(reason)"
        case .schema(let shard, let description, let reason):
            "shard \(shard) (\(description)): \(reason); run `edgelog db init`"
        case .broker(let reason):
            reason
        }
    }
}
