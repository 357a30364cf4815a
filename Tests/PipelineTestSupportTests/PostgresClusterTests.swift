import Synchronization
import Foundation
import PipelineTestSupport
import PostgresSink
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite(.serialized, .integration)
struct PostgresClusterTests {
    struct Planned: Error {}

    @Test func clusterStartsQueriesAndStopsCleanly() async throws {
        let cluster = try await PostgresCluster.start()
        defer { cluster.stop() }
        let db = try cluster.connect()

        // The server's own view of itself, not what the harness believes it configured.
        #expect(try db.execute("SELECT current_user").rows == [["postgres"]])
        #expect(try db.execute("SHOW data_directory").rows == [[cluster.dataDirectory]])
        #expect(try db.execute("SHOW port").rows == [[String(cluster.port)]])
        #expect(try db.execute("SHOW listen_addresses").rows == [["127.0.0.1"]])
        #expect(try db.execute("SHOW fsync").rows == [["off"]])
        #expect(try db.execute("SHOW server_encoding").rows == [["UTF8"]])
        let version = try #require(try db.execute("SHOW server_version_num").rows.first?.first ?? nil)
        #expect((Int(version) ?? 0) / 10000 == cluster.installation.majorVersion)

        // As root, the server runs as the postgres user (it refuses root).
        if geteuid() == 0 {
            let backend = try #require(Int32(try db.execute("SELECT pg_backend_pid()").rows[0][0] ?? ""))
            let expected = try #require(getpwnam("postgres")).pointee.pw_uid
            #expect(try effectiveUID(of: backend) == expected)
        }

        let port = cluster.port
        let directory = cluster.directory
        await cluster.stopped()
        #expect(!LoopbackProbe.isListening(port: port))
        #expect(!FileManager.default.fileExists(atPath: directory))
        #expect(cluster.isStopped)
        #expect(ownedScratchDirectories().isEmpty)
        let error = try #require(throws: PostgresError.self) { try cluster.connect() }
        #expect(error.code == .connectionFailed)
        cluster.stop()  // idempotent
    }

    @Test func configuredClusterWithACreatedDatabaseIsReachableByTheRealPsql() async throws {
        let configuration = PostgresCluster.Configuration(settings: ["work_mem": "'7MB'"])
        try await withPostgresCluster(configuration) { cluster in
            let name = "edgelog test'db \"x\""
            try await cluster.createDatabase(name)
            let db = try cluster.connect(database: name)
            #expect(try db.execute("SELECT current_database()").rows == [[name]])
            #expect(try db.execute("SHOW work_mem").rows == [["7MB"]])

            let psql = try await ExternalTool.run(
                "psql",
                ["-X", "-A", "-t", cluster.conninfo(database: name), "-c", "SELECT current_database()"]
            )
            #expect(psql.status == 0, "\(psql.stderrText)")
            #expect(psql.stdoutText == name + "\n")
            #expect(cluster.logContents().contains("database system is ready to accept connections"))
        }
    }

    @Test func scopedClusterStopsWhenTheBodyThrows() async throws {
        let seen = Mutex<(port: Int, directory: String)?>(nil)
        await #expect(throws: Planned.self) {
            try await withPostgresCluster { cluster in
                seen.withLock { $0 = (cluster.port, cluster.directory) }
                #expect(LoopbackProbe.isListening(port: cluster.port))
                throw Planned()
            }
        }
        let (port, directory) = try #require(seen.withLock { $0 })
        #expect(!LoopbackProbe.isListening(port: port))
        #expect(!FileManager.default.fileExists(atPath: directory))
    }

    @Test func failedStartReportsTheServerLogAndLeavesNothingBehind() async throws {
        let configuration = PostgresCluster.Configuration(settings: ["no_such_setting_edgelog": "1"])
        let failure = try await #require(throws: PostgresCluster.Failure.self) {
            try await PostgresCluster.start(configuration)
        }
        #expect(failure.logTail.contains("no_such_setting_edgelog"))
        #expect(failure.description.contains("no_such_setting_edgelog"))
        #expect(ownedScratchDirectories().isEmpty)
    }

    /// `/tmp/edgelog-pg-*` directories whose owner file names this test process.
    private func ownedScratchDirectories() -> [String] {
        let base = ProcessInfo.processInfo.environment["EDGELOG_TEST_TMPDIR"] ?? "/tmp"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []
        return names.filter { $0.hasPrefix("edgelog-pg-") }.filter { name in
            let owner = (try? String(contentsOfFile: "\(base)/\(name)/owner", encoding: .utf8)) ?? ""
            return owner.split(separator: " ").first == "\(getpid())"
        }
    }

    /// Effective uid from `/proc/<pid>/status` (`Uid: real effective saved fs`).
    private func effectiveUID(of pid: Int32) throws -> uid_t? {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = status.split(separator: "\n").first { $0.hasPrefix("Uid:") }
        let fields = line?.split(whereSeparator: \.isWhitespace) ?? []
        return fields.count > 2 ? uid_t(fields[2]) : nil
    }
}
