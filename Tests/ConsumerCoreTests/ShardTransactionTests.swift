import AccessRecord
import EdgelogSchema
import Foundation
import PipelineTestSupport
import PostgresSink
import Testing
import TrafficAggregation

@testable import ConsumerCore

/// The shard transaction against a real PostgreSQL shard: the compare-and-set's four outcomes
/// (applied, already committed, fenced by a newer claim, fenced by a moved offset) and the
/// cluster-id guard, without a broker. Expected counts are written out by hand.
@Suite(.serialized, .postgresCluster)
struct ShardTransactionTests {
    static let minute: Int64 = 1_795_867_200  // 2026-11-28T12:00:00Z

    /// A delta of `count` requests for `site`, partition 0, offsets `from ..< from + count`.
    static func delta(site: String, count: Int, from: Int64) throws -> ShardDelta {
        let ring = try ShardRing(shardCount: 1)
        var aggregator = PartitionAggregator(
            topic: "t", partition: 0, ring: ring, latenessMicros: 3_600_000_000,
            resume: PartitionResume(shards: [ShardProgress(nextOffset: from, watermarkMicros: 0)]))
        for index in 0..<count {
            var builder = AccessRecordBuilder()
            builder.beginRecord()
            builder.setTimeUs((minute + Int64(index % 3) * 60) * 1_000_000)
            builder.setText(.site, site)
            builder.setText(.edge, "e")
            builder.setText(.sourceFile, "/f")
            builder.setStatus(200)
            builder.setBodyBytesSent(100)
            _ = try builder.endRecord()
            let bytes = builder.buffer
            bytes.withUnsafeBytes { raw in
                if let reader = try? AccessRecordReader(raw) {
                    aggregator.add(reader, offset: from + Int64(index), timestampMs: 0)
                }
            }
        }
        return aggregator.takeDelta(shard: 0)
    }

    /// A delta of one `fileStats` record per element of `losses` (edge "e", file "/f"), at
    /// offsets `from ..< from + losses.count`.
    static func fileStatsDelta(
        losses: [(total: UInt64, replaced: UInt64, unfinished: UInt64)], from: Int64
    ) throws -> ShardDelta {
        let ring = try ShardRing(shardCount: 1)
        var aggregator = PartitionAggregator(
            topic: "t", partition: 0, ring: ring, latenessMicros: 3_600_000_000,
            resume: PartitionResume(shards: [ShardProgress(nextOffset: from, watermarkMicros: 0)]))
        for (index, loss) in losses.enumerated() {
            var record = AccessRecord()
            record.kind = .fileStats
            record.timeUs = minute * 1_000_000
            record.edge = "e"
            record.sourceFile = "/f"
            record.shippedLines = 1
            record.lostBytes = loss.total
            record.lostBytesReplaced = loss.replaced
            record.lostBytesUnfinished = loss.unfinished
            var builder = AccessRecordBuilder()
            try builder.append(record)
            builder.buffer.withUnsafeBytes { raw in
                if let reader = try? AccessRecordReader(raw) {
                    aggregator.add(reader, offset: from + Int64(index), timestampMs: 0)
                }
            }
        }
        return aggregator.takeDelta(shard: 0)
    }

    /// A new shard database with the schema installed (the installer's libpq work off the pool).
    func freshShard() async throws -> (PGConnection, ShardWriter, String) {
        let cluster = try #require(PostgresCluster.current)
        let name = "shard_\(UInt32.random(in: 0...UInt32.max))"
        try await cluster.createDatabase(name)
        let conninfo = cluster.conninfo(database: name)
        _ = try await OffPool.run { try SchemaInstaller().install(shards: [conninfo], coordinator: nil) }
        let writer = ShardWriter(
            shard: 0, conninfo: cluster.conninfo(database: name), description: name, commitDelay: .zero,
            logger: PGConnection.discardingLogger)
        return (try cluster.connect(database: name), writer, name)
    }

    func requests(_ connection: PGConnection, table: String = "site_minute") throws -> String? {
        try connection.execute("SELECT sum(requests)::bigint FROM edgelog.\(table)").rows.first?[0]
    }

    @Test func appliedThenRepeatedFlushIsRecognisedAsAlreadyCommitted() async throws {
        let (connection, writer, _) = try await freshShard()
        let claimed = try await writer.claim(topic: "t", partitions: [0], clusterID: "c1", consumerID: "me")
        #expect(claimed[0]?.nextOffset == 0)
        let flush = ShardFlush(
            shard: 0, topic: "t", clusterID: "c1", consumerID: "me",
            parts: [.init(delta: try Self.delta(site: "a.example", count: 120, from: 0), expectedOffset: 0)])
        let first = try await writer.commit(flush)
        #expect(first.committed == [0: 120] && first.rowsWritten == 3, "3 minute rows")
        #expect(try requests(connection) == "120")
        #expect(try requests(connection, table: "site_hour") == "120")
        #expect(try requests(connection, table: "site_day") == "120")

        // The same flush again, as after a connection lost during COMMIT: nothing twice.
        let again = try await writer.commit(flush)
        #expect(again.alreadyCommitted == [0: 120] && again.committed.isEmpty && again.fenced.isEmpty)
        #expect(try requests(connection) == "120")
    }

    @Test func aNewerClaimFencesTheOlderConsumer() async throws {
        let (connection, writer, _) = try await freshShard()
        _ = try await writer.claim(topic: "t", partitions: [0], clusterID: "c1", consumerID: "old")
        _ = try await writer.claim(topic: "t", partitions: [0], clusterID: "c1", consumerID: "new")
        let flush = ShardFlush(
            shard: 0, topic: "t", clusterID: "c1", consumerID: "old",
            parts: [.init(delta: try Self.delta(site: "a.example", count: 10, from: 0), expectedOffset: 0)])
        let outcome = try await writer.commit(flush)
        #expect(outcome.fenced == [0] && outcome.committed.isEmpty)
        #expect(try requests(connection) == nil, "nothing written by the fenced consumer")
    }

    @Test func aMovedOffsetFencesEvenTheSameConsumer() async throws {
        let (connection, writer, _) = try await freshShard()
        _ = try await writer.claim(topic: "t", partitions: [0], clusterID: "c1", consumerID: "me")
        try connection.execute("UPDATE edgelog.consumer_progress SET next_offset = 7")
        let flush = ShardFlush(
            shard: 0, topic: "t", clusterID: "c1", consumerID: "me",
            parts: [.init(delta: try Self.delta(site: "a.example", count: 10, from: 0), expectedOffset: 0)])
        #expect(try await writer.commit(flush).fenced == [0])
        #expect(try requests(connection) == nil)
    }

    @Test func progressOfAnotherClusterStopsTheClaimAndTheFlush() async throws {
        let (connection, writer, _) = try await freshShard()
        _ = try await writer.claim(topic: "t", partitions: [0], clusterID: "c1", consumerID: "me")
        await #expect(throws: ConsumerError.self) {
            _ = try await writer.claim(topic: "t", partitions: [0], clusterID: "c2", consumerID: "me")
        }
        let flush = ShardFlush(
            shard: 0, topic: "t", clusterID: "c2", consumerID: "me",
            parts: [.init(delta: try Self.delta(site: "a.example", count: 10, from: 0), expectedOffset: 0)])
        await #expect(throws: ConsumerError.self) { _ = try await writer.commit(flush) }
        #expect(try requests(connection) == nil)
        let owner = try connection.execute("SELECT cluster_id, consumer_id FROM edgelog.consumer_progress").rows
        #expect(owner.first == ["c1", "me"], "the refused claim changed nothing")
    }

    /// The lost bytes' parts by cause reach `file_audit` and add up over flushes like the total.
    @Test func lostBytesByCauseAddUpInFileAudit() async throws {
        let (connection, writer, _) = try await freshShard()
        _ = try await writer.claim(topic: "t", partitions: [0], clusterID: "c1", consumerID: "me")
        let first = try Self.fileStatsDelta(losses: [(100, 30, 5), (10, 0, 0)], from: 0)
        let second = try Self.fileStatsDelta(losses: [(50, 0, 12)], from: 2)
        for (delta, expected) in [(first, Int64(0)), (second, 2)] {
            let flush = ShardFlush(
                shard: 0, topic: "t", clusterID: "c1", consumerID: "me",
                parts: [.init(delta: delta, expectedOffset: expected)])
            #expect(try await writer.commit(flush).committed.isEmpty == false)
        }
        let rows = try connection.execute(
            "SELECT lost_bytes, lost_bytes_replaced, lost_bytes_unfinished, stats_records FROM edgelog.file_audit"
        ).rows
        #expect(rows == [["160", "30", "17", "3"]])
    }

    @Test func aHostileSiteIsStoredVerbatimThroughCopy() async throws {
        let (connection, writer, _) = try await freshShard()
        _ = try await writer.claim(topic: "t", partitions: [0], clusterID: "c1", consumerID: "me")
        let hostile = "x');DROP TABLE edgelog.site_hour;--\t\\N\nnext"
        let flush = ShardFlush(
            shard: 0, topic: "t", clusterID: "c1", consumerID: "me",
            parts: [.init(delta: try Self.delta(site: hostile, count: 3, from: 0), expectedOffset: 0)])
        _ = try await writer.commit(flush)
        let sites = try connection.execute("SELECT DISTINCT site FROM edgelog.site_day").rows
        #expect(sites == [[hostile]])
    }
}
