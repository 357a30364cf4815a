import PostgresSink
import Testing

@testable import ConsumerCore

/// Pure decisions of the consumer, without sockets: where shards added by re-sharding start,
/// which errors are retried, and which settings are refused.
struct ConsumerStartRulesTests {
    static func progress(_ offset: Int64, _ watermark: Int64 = 5, cluster: String = "c") -> StoredProgress {
        StoredProgress(nextOffset: offset, watermarkMicros: watermark, clusterID: cluster)
    }

    @Test func aShardAddedAfterADrainStartsAtTheDrainedOffset() throws {
        let current: [[Int32: StoredProgress]] = [[0: Self.progress(40), 1: Self.progress(7)], [0: Self.progress(40), 1: Self.progress(7)], [:]]
        let seeds = try ConsumerLoop.seedsForNewShards(current, partitions: [0, 1], clusterID: "c")
        #expect(seeds == [2: [0: Self.progress(40), 1: Self.progress(7)]])
    }

    @Test func aFreshInstallationNeedsNoSeeds() throws {
        let seeds = try ConsumerLoop.seedsForNewShards([[:], [:]], partitions: [0, 1, 2], clusterID: "c")
        #expect(seeds.isEmpty)
    }

    @Test func addingAShardWithoutADrainIsRefused() {
        let current: [[Int32: StoredProgress]] = [[0: Self.progress(40)], [0: Self.progress(39)], [:]]
        #expect(throws: ConsumerError.self) {
            try ConsumerLoop.seedsForNewShards(current, partitions: [0], clusterID: "c")
        }
    }

    @Test func progressOfAnotherClusterIsRefusedBeforeSeeding() {
        let current: [[Int32: StoredProgress]] = [[0: Self.progress(40, cluster: "old")], [:]]
        #expect(throws: ConsumerError.self) {
            try ConsumerLoop.seedsForNewShards(current, partitions: [0], clusterID: "new")
        }
    }

    @Test(arguments: [
        (PostgresError(code: .connectionLost, message: "gone"), true),
        (PostgresError(code: .connectionFailed, message: "refused"), true),
        (PostgresError(code: .queryFailed, sqlState: "08006", message: "link"), true),
        (PostgresError(code: .queryFailed, sqlState: "40P01", message: "deadlock"), true),
        (PostgresError(code: .queryFailed, sqlState: "57P01", message: "admin shutdown"), true),
        (PostgresError(code: .queryFailed, sqlState: "22003", message: "bigint out of range"), false),
        (PostgresError(code: .queryFailed, sqlState: "23514", message: "no partition"), false),
        (PostgresError(code: .queryFailed, sqlState: "42P01", message: "no table"), false),
        (PostgresError(code: .invalidParameter, message: "NUL"), false),
    ])
    func onlyConnectionAndServerStateErrorsAreRetried(_ error: PostgresError, _ retried: Bool) {
        #expect(FlushRunner.isRetryable(error) == retried)
    }

    @Test func fencesAndClusterChangesAreNeverRetried() {
        #expect(!FlushRunner.isRetryable(ConsumerError.allPartitionsFenced(partitions: [0])))
        #expect(!FlushRunner.isRetryable(ConsumerError.clusterChanged(shard: 0, partition: 0, stored: "a", broker: "b")))
        #expect(!FlushRunner.isRetryable(CancellationError()))
    }

    @Test func anUnparseableShardIsRefusedWithoutItsPassword() {
        let configuration = ConsumerConfiguration(
            broker: "127.0.0.1:9092", shards: ["host=a dbname=x", "postgresql://u:s3cr%zzet@h/db"])
        do {
            try configuration.validate()
            Issue.record("an unparseable connection string was accepted")
        } catch {
            #expect(error.description.contains("shard 1"))
            #expect(!error.description.contains("s3cr"), "\(error.description)")
        }
    }

    @Test(arguments: [
        ("flush-interval", ConsumerConfiguration(broker: "b:1", shards: ["dbname=x"], flushInterval: .zero)),
        ("partitions", ConsumerConfiguration(broker: "b:1", shards: ["dbname=x"], partitions: [0, 0])),
        ("minute-retention", ConsumerConfiguration(broker: "b:1", shards: ["dbname=x"], minuteRetention: .seconds(3600))),
        ("shards", ConsumerConfiguration(broker: "b:1", shards: [])),
    ])
    func nonsenseSettingsAreRefusedByName(_ key: String, _ configuration: ConsumerConfiguration) {
        #expect(throws: ConsumerConfigurationError.self) { try configuration.validate() }
        #expect((try? configuration.validate()) == nil)
        do { try configuration.validate() } catch { #expect(error.description.contains("--\(key)")) }
    }
}
