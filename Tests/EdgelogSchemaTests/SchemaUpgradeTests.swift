import EdgelogSchema
import PipelineTestSupport
import PostgresSink
import Testing

/// An installation made by an older edgelog (migrations 1 to 4, applied the way the installer
/// applies them) upgraded by `SchemaInstaller.install`, i.e. `edgelog db init`: only the new
/// migrations run, existing rows keep their values and read the new columns as their defaults.
@Suite(.serialized, .postgresCluster)
struct SchemaUpgradeTests {
    /// Applies the migrations of `kind` up to `version`, one transaction each, as the installer
    /// of that older edgelog did.
    static func migrate(_ connection: PGConnection, kind: Migration.Kind, through version: Int) throws {
        for migration in kind.migrations where migration.version <= version {
            try connection.execute("BEGIN")
            for statement in migration.statements { try connection.execute(statement) }
            try connection.execute("COMMIT")
        }
    }

    /// Version 4 (lost bytes as one number) upgraded to 5 (split by cause): a file_audit row
    /// written before counts all of its loss as deleted unread, through the coordinator's view
    /// and its foreign partition, and the consumer accepts the upgraded shard.
    @Test func version4UpgradesToLostBytesByCause() async throws {
        let cluster = try #require(PostgresCluster.current)
        try await cluster.createDatabase("upgrade_shard0")
        try await cluster.createDatabase("upgrade_coordinator")
        let shardConninfo = cluster.conninfo(database: "upgrade_shard0")
        let coordinatorConninfo = cluster.conninfo(database: "upgrade_coordinator")
        let port = String(cluster.port)
        try await OffPool.run {
            let shard = try cluster.connect(database: "upgrade_shard0")
            try Self.migrate(shard, kind: .shard, through: 4)
            let coordinator = try cluster.connect(database: "upgrade_coordinator")
            try Self.migrate(coordinator, kind: .coordinator, through: 4)
            try coordinator.execute(
                "SELECT edgelog.define_shard(0, '127.0.0.1', $1, 'upgrade_shard0', 'postgres', NULL)",
                parameters: [port])
            try shard.execute(
                """
                INSERT INTO edgelog.file_audit (shard_id, edge, source_file, shipped_lines, lost_bytes, counted_lines)
                VALUES (0, 'old-edge', '/var/log/nginx/old.log', 5, 900, 5)
                """)
            #expect(throws: SchemaCheckFailure.self) { try SchemaInstaller.checkShard(shard, shardID: 0) }
        }

        let summary = try await OffPool.run {
            try SchemaInstaller().install(shards: [shardConninfo], coordinator: coordinatorConninfo)
        }
        #expect(summary.databases.map { $0.applied.map(\.version) } == [[5], [5]])
        #expect(summary.databases.map(\.version) == [5, 5])

        try await OffPool.run {
            let shard = try cluster.connect(database: "upgrade_shard0")
            try SchemaInstaller.checkShard(shard, shardID: 0)
            #expect(
                try shard.execute(
                    "SELECT lost_bytes, lost_bytes_replaced, lost_bytes_unfinished FROM edgelog.file_audit"
                ).rows == [["900", "0", "0"]])
            // A row of the new consumer beside the old one, then both through the coordinator.
            try shard.execute(
                """
                INSERT INTO edgelog.file_audit (shard_id, edge, source_file, shipped_lines, lost_bytes, counted_lines,
                    lost_bytes_replaced, lost_bytes_unfinished)
                VALUES (0, 'new-edge', '/var/log/nginx/new.log', 5, 100, 5, 60, 15)
                """)
            let coordinator = try cluster.connect(database: "upgrade_coordinator")
            let totals = try coordinator.execute(
                """
                SELECT edge, lost_bytes, lost_bytes_replaced, lost_bytes_unfinished, lost_bytes_deleted_unread
                FROM file_audit_totals ORDER BY edge
                """
            ).rows
            #expect(totals == [["new-edge", "100", "60", "15", "25"], ["old-edge", "900", "0", "0", "900"]])
        }
    }
}
