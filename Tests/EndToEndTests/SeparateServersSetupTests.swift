import Foundation
import PipelineTestSupport
import PostgresSink
import Testing

/// deploy/README.md's "PostgreSQL on separate servers", run as written: two PostgreSQL servers
/// that ask every edgelog role for a password (scram-sha-256, as the README's pg_hba lines do),
/// the README's SQL for the shards and the coordinator run through `psql` as the superuser,
/// `edgelog db init` run as the unprivileged `edgelog_admin` with the writer's password in the
/// shards' connection strings. Then rows written on each shard by `edgelog_writer` are read
/// through the coordinator by `edgelog_analyst` (postgres_fdw as a non-superuser, which
/// works only with password authentication on the shards), and the analyst cannot write.
@Suite(.serialized, .integration)
struct SeparateServersSetupTests {
    private static let readme = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("deploy/README.md")

    @Test func theReadmeSetupWorksWithPasswordsAndUnprivilegedRoles() async throws {
        let readme = try String(contentsOf: Self.readme, encoding: .utf8)
        let shardSetup = try #require(Self.sqlBlock(after: "<!-- shard-setup -->", in: readme))
        let coordinatorSetup = try #require(Self.sqlBlock(after: "<!-- coordinator-setup -->", in: readme))

        // Server A: shard 0. Server B: shard 1 and the coordinator.
        let serverA = try await PostgresCluster.start()
        defer { serverA.stop() }
        let serverB = try await PostgresCluster.start()
        defer { serverB.stop() }
        for server in [serverA, serverB] {
            try await Self.requirePasswords(server)
            try await Self.psql(server, shardSetup)
        }
        try await Self.psql(serverB, coordinatorSetup)

        func conninfo(_ server: PostgresCluster, _ database: String, _ user: String, _ password: String) -> String {
            "host=127.0.0.1 port=\(server.port) dbname=\(database) user=\(user) password=\(password)"
        }
        let shards = [serverA, serverB].map { conninfo($0, "edgelog", "edgelog_writer", "writer-secret") }
        let initialised = try await ExternalTool.run(
            try BuiltExecutable.path(named: "edgelog"),
            ["db", "init", "--shards", shards.joined(separator: ","),
             "--coordinator", conninfo(serverB, "edgelog_coordinator", "edgelog_admin", "admin-secret")])
        #expect(initialised.status == 0, "edgelog db init as edgelog_admin: \(initialised.stderrText)")
        try await Self.psql(serverB, "\\c edgelog_coordinator\nALTER ROLE edgelog_analyst PASSWORD 'analyst-secret';")

        // The consumer's role writes a row on each shard.
        for (shard, conninfo) in shards.enumerated() {
            _ = try await OffPool.run {
                let writer = try PGConnection(conninfo: conninfo, logger: PGConnection.discardingLogger)
                try writer.execute("SELECT edgelog.ensure_minute_partition(current_date)")
                try writer.execute(
                    "INSERT INTO edgelog.site_minute (shard_id, bucket, site, requests) VALUES ($1::int, date_trunc('minute', now()), $2, $3::bigint)",
                    parameters: ["\(shard)", "site-\(shard).example", "\(shard + 5)"])
            }
        }

        let analyst = conninfo(serverB, "edgelog_coordinator", "edgelog_analyst", "analyst-secret")
        let rows = try await OffPool.run {
            try PGConnection(conninfo: analyst, logger: PGConnection.discardingLogger)
                .execute("SELECT site, requests FROM minute_site ORDER BY site").rows
        }
        #expect(rows == [["site-0.example", "5"], ["site-1.example", "6"]], "the analyst sees both shards: \(rows)")
        let write = await OffPool.run { () -> String in
            do {
                try PGConnection(conninfo: analyst, logger: PGConnection.discardingLogger)
                    .execute("INSERT INTO edgelog.shards (shard_id, server_name) VALUES (9, 'x')")
                return "succeeded"
            } catch {
                return "\(error)"
            }
        }
        #expect(write.contains("permission denied"), "the analyst cannot write: \(write)")
    }

    /// The fenced `sql` block that follows `marker`.
    static func sqlBlock(after marker: String, in text: String) -> String? {
        guard let start = text.range(of: marker + "\n```sql\n") else { return nil }
        guard let end = text.range(of: "\n```", range: start.upperBound..<text.endIndex) else { return nil }
        return String(text[start.upperBound..<end.lowerBound]) + "\n"
    }

    /// pg_hba: the edgelog roles must give a password over TCP (the harness's superuser keeps
    /// trust); lines are matched first to last, so ours go first.
    static func requirePasswords(_ server: PostgresCluster) async throws {
        let path = "\(server.dataDirectory)/pg_hba.conf"
        let current = try String(contentsOfFile: path, encoding: .utf8)
        let lines = "host all edgelog_writer,edgelog_admin,edgelog_analyst 127.0.0.1/32 scram-sha-256\n"
        try (lines + current).write(toFile: path, atomically: false, encoding: .utf8)
        _ = try await OffPool.run { try server.connect().execute("SELECT pg_reload_conf()") }
    }

    /// Runs `script` through `psql` as the superuser, stopping at the first error.
    static func psql(_ server: PostgresCluster, _ script: String) async throws {
        let result = try await ExternalTool.run(
            "psql",
            ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", "\(server.port)", "-U", "postgres", "-d", "postgres", "-f", "-"],
            stdin: Data(script.utf8))
        guard result.status == 0 else {
            throw PsqlFailure(description: "psql failed (\(result.status)): \(result.stderrText)\(result.stdoutText)\n\(server.logContents().suffix(2000))")
        }
    }
}

struct PsqlFailure: Error, CustomStringConvertible {
    var description: String
}
