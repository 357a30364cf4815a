import EdgelogSchema
import PipelineTestSupport
import PostgresSink
import Testing

/// Two PostgreSQL clusters with an installed edgelog: shards 0 and 1 on cluster A, shard 2 and
/// the coordinator on cluster B, so the coordinator reaches shards on another server as well as
/// on its own. Started once per suite by `.installedSchema` and shared by its tests, which keep
/// out of each other's way by using their own sites and days.
final class InstalledSchema: Sendable {
    @TaskLocal static var current: InstalledSchema?

    let clusterA: PostgresCluster
    let clusterB: PostgresCluster
    /// Connection strings in shard-id order (shard 2 as a URL, to install through both forms).
    let shardConninfos: [String]
    let coordinatorConninfo: String
    /// What the first install reported.
    let firstInstall: InstallSummary

    static let shardDatabases = ["edgelog_shard0", "edgelog_shard1", "edgelog_shard2"]
    static let coordinatorDatabase = "edgelog_coordinator"

    /// Creates the databases and installs the schema; the installer's libpq work (seconds) runs
    /// off the cooperative pool.
    init(clusterA: PostgresCluster, clusterB: PostgresCluster) async throws {
        self.clusterA = clusterA
        self.clusterB = clusterB
        try await clusterA.createDatabase(Self.shardDatabases[0])
        try await clusterA.createDatabase(Self.shardDatabases[1])
        try await clusterB.createDatabase(Self.shardDatabases[2])
        try await clusterB.createDatabase(Self.coordinatorDatabase)
        let shardConninfos = [
            clusterA.conninfo(database: Self.shardDatabases[0]),
            clusterA.conninfo(database: Self.shardDatabases[1]),
            "postgresql://postgres@127.0.0.1:\(clusterB.port)/\(Self.shardDatabases[2])?connect_timeout=10",
        ]
        let coordinatorConninfo = clusterB.conninfo(database: Self.coordinatorDatabase)
        self.shardConninfos = shardConninfos
        self.coordinatorConninfo = coordinatorConninfo
        firstInstall = try await OffPool.run {
            try SchemaInstaller().install(shards: shardConninfos, coordinator: coordinatorConninfo)
        }
    }

    /// The suite's installation.
    static func require() throws -> InstalledSchema {
        try #require(current, "no installation: the suite must carry .installedSchema")
    }

    /// A superuser connection to shard `id`.
    func shard(_ id: Int) throws -> PGConnection {
        let cluster = id < 2 ? clusterA : clusterB
        return try cluster.connect(database: Self.shardDatabases[id])
    }

    /// A fresh superuser connection to the coordinator (fresh: `ALTER DATABASE ... SET` applies
    /// to sessions started after it).
    func coordinator() throws -> PGConnection {
        try clusterB.connect(database: Self.coordinatorDatabase)
    }

    /// A connection to the coordinator as the analysts' role.
    func coordinatorAsAnalyst() throws -> PGConnection {
        try PGConnection(
            conninfo: "host=127.0.0.1 port=\(clusterB.port) user=edgelog_analyst dbname=\(Self.coordinatorDatabase)"
        )
    }
}

/// `@Suite(.serialized, .installedSchema)`: two clusters and an installation for the whole suite,
/// as `InstalledSchema.current`; holds the harness's integration lock (no other integration
/// suite runs meanwhile) and always stops both clusters.
struct InstalledSchemaTrait: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(
        for test: Test,
        testCase: Test.Case?,
        performing function: @Sendable () async throws -> Void
    ) async throws {
        let integration: IntegrationTrait = .integration
        try await integration.provideScope(for: test, testCase: testCase) {
            try await withPostgresCluster { clusterA in
                try await withPostgresCluster { clusterB in
                    let installed = try await InstalledSchema(clusterA: clusterA, clusterB: clusterB)
                    try await InstalledSchema.$current.withValue(installed) { try await function() }
                }
            }
        }
    }
}

extension Trait where Self == InstalledSchemaTrait {
    static var installedSchema: Self { Self() }
}

extension PGResultRows {
    /// Column 0 of every row (NULL as nil).
    var firstColumn: [String?] { rows.map { $0.first ?? nil } }
}
