import EdgelogSchema
import Foundation
import PipelineTestSupport
import PostgresSink
import Testing

/// One PostgreSQL cluster with two shard databases and the coordinator, installed by the code
/// `edgelog db init` runs (`SchemaInstaller`), and known traffic written into the shards with
/// parameterised inserts. `TrafficFixture` holds what was written: the ground truth the reports
/// are compared with.
final class ReportDatabase: Sendable {
    @TaskLocal static var current: ReportDatabase?

    let cluster: PostgresCluster
    let fixture: TrafficFixture
    static let shardDatabases = ["reports_shard0", "reports_shard1"]
    static let coordinatorDatabase = "reports_coordinator"

    init(cluster: PostgresCluster) async throws {
        self.cluster = cluster
        for name in Self.shardDatabases + [Self.coordinatorDatabase] { try await cluster.createDatabase(name) }
        let shards = Self.shardDatabases.map { cluster.conninfo(database: $0) }
        let coordinator = cluster.conninfo(database: Self.coordinatorDatabase)
        _ = try await OffPool.run { try SchemaInstaller().install(shards: shards, coordinator: coordinator) }
        let fixture = TrafficFixture.generate(seed: 17)
        try await OffPool.run {
            let connections = try shards.map { try PGConnection(conninfo: $0) }
            try fixture.write(to: connections)
        }
        self.fixture = fixture
    }

    static func require() throws -> ReportDatabase {
        try #require(current, "the suite must carry .reportDatabase")
    }

    /// What an analyst passes as `--coordinator`.
    var analystConninfo: String {
        "host=127.0.0.1 port=\(cluster.port) user=edgelog_analyst dbname=\(Self.coordinatorDatabase)"
    }

    func coordinator() throws -> PGConnection { try cluster.connect(database: Self.coordinatorDatabase) }

    func shard(_ id: Int) throws -> PGConnection { try cluster.connect(database: Self.shardDatabases[id]) }
}

struct ReportDatabaseTrait: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let integration: IntegrationTrait = .integration
        try await integration.provideScope(for: test, testCase: testCase) {
            try await withPostgresCluster { cluster in
                let database = try await ReportDatabase(cluster: cluster)
                try await ReportDatabase.$current.withValue(database) { try await function() }
            }
        }
    }
}

extension Trait where Self == ReportDatabaseTrait {
    /// A cluster with two shards, the coordinator and `TrafficFixture`'s rows, for the suite.
    static var reportDatabase: Self { Self() }
}

/// The built `edgelog`, run as an analyst would.
enum EdgelogRun {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String], environment: [String: String]? = nil) async throws -> Output {
        let result = try await ExternalTool.run(try BuiltExecutable.path(named: "edgelog"), arguments, environment: environment)
        return Output(status: result.status, stdout: result.stdoutText, stderr: result.stderrText)
    }

    /// Runs a report with `--json` and decodes its object; fails the test on a non-zero exit.
    static func json(_ arguments: [String]) async throws -> [String: Any] {
        let output = try await run(arguments + ["--json"])
        try #require(output.status == 0, "edgelog \(arguments.joined(separator: " ")): \(output.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8))
        return try #require(object as? [String: Any], "not a JSON object: \(output.stdout)")
    }
}
