import Foundation
import KafkaClient
import KafkaProtocol
import Logging
import PipelineTestSupport
import PostgresSink

/// The pipeline behind a real nginx, every part a real process on loopback: one PostgreSQL
/// cluster holding three shard databases and the coordinator (set up by `edgelog db init`, as
/// an operator would), the broker, and factories for the shipper and the consumer.
final class EndToEndRig {
    let cluster: PostgresCluster
    let broker: BrokerProcess
    let directory: String
    let shardNames = ["shard0", "shard1", "shard2"]
    let topic = "edgelog.requests"

    private init(cluster: PostgresCluster, broker: BrokerProcess, directory: String) {
        self.cluster = cluster
        self.broker = broker
        self.directory = directory
    }

    static func start(partitions: Int = 4) async throws -> EndToEndRig {
        let cluster = try await PostgresCluster.start()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("edgelog-e2e-\(UUID().uuidString)").path
        let rig: EndToEndRig
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            rig = EndToEndRig(cluster: cluster, broker: try BrokerProcess(partitions: partitions), directory: directory)
        } catch {
            cluster.stop()
            throw error
        }
        do {
            for name in rig.shardNames + ["coordinator"] { try await cluster.createDatabase(name) }
            let initialised = try await ExternalTool.run(
                try BuiltExecutable.path(named: "edgelog"),
                ["db", "init", "--shards", rig.shardConninfos.joined(separator: ","), "--coordinator", rig.coordinatorConninfo])
            guard initialised.status == 0 else {
                throw ShipperProcess.Failure(description: "edgelog db init failed: \(initialised.stderrText)")
            }
            try await rig.broker.start()
        } catch {
            rig.remove()
            throw error
        }
        return rig
    }

    var shardConninfos: [String] { shardNames.map { cluster.conninfo(database: $0) } }
    var coordinatorConninfo: String { cluster.conninfo(database: "coordinator") }

    func makeShipper(files: String, extra: [String] = []) -> ShipperProcess {
        .quick(broker: broker.bootstrap, files: files, directory: directory, extra: extra)
    }

    func makeConsumer(_ arguments: [String] = []) -> ConsumerProcess {
        .quick(broker: broker.bootstrap, shards: shardConninfos, arguments: arguments)
    }

    /// `sql` on the coordinator (off the cooperative pool: libpq blocks).
    func query(_ sql: String, _ parameters: [String?] = []) async throws -> [[String?]] {
        let (cluster, parameters) = (cluster, parameters)
        return try await OffPool.run {
            try cluster.connect(database: "coordinator").execute(sql, parameters: parameters).rows
        }
    }

    /// Whether every shard's stored progress is at the end of every partition of the topic.
    func isFullyConsumed() async throws -> (Bool, String) {
        let latest = try await latestOffsets()
        let rows = try await query(
            "SELECT shard_id, partition, next_offset FROM consumer_progress_by_shard WHERE topic = $1", [topic])
        var progress: [Int: [Int32: Int64]] = [:]
        for row in rows {
            guard let shard = row[0].flatMap({ Int($0) }), let partition = row[1].flatMap({ Int32($0) }),
                let offset = row[2].flatMap({ Int64($0) })
            else { continue }
            progress[shard, default: [:]][partition] = offset
        }
        let done = !latest.isEmpty && progress.count == shardNames.count
            && progress.values.allSatisfy { shard in latest.allSatisfy { shard[$0.key] == $0.value } }
        return (done, "broker end offsets \(latest), shards' progress \(progress)")
    }

    /// Every partition's end offset on the broker.
    func latestOffsets() async throws -> [Int32: Int64] {
        let client = KafkaClient(configuration: try .init(bootstrap: broker.bootstrap), logger: Logger(label: "e2e"))
        do {
            let metadata = try await client.metadata(topics: [topic], allowAutoTopicCreation: false)
            var offsets: [Int32: Int64] = [:]
            for partition in metadata.topics.first(where: { $0.name == topic })?.partitions ?? [] {
                offsets[partition.partitionIndex] = try await client.listOffsets(
                    topic: topic, partition: partition.partitionIndex, timestamp: ListOffsetsRequest.latestTimestamp
                ).offset
            }
            await client.shutdown()
            return offsets
        } catch {
            await client.shutdown()
            throw error
        }
    }

    func remove() {
        broker.remove()
        cluster.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
