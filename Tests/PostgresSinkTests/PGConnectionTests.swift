import Logging
import PipelineTestSupport
import PostgresSink
import Testing

extension PostgresSinkIntegration {
    @Suite struct PGConnectionTests {
        @Test func hostileParametersRoundTripByteIdentical() throws {
            let (db, _) = try PostgresSinkIntegration.connectionInFreshSchema()
            try db.execute("CREATE TABLE victims (id int)")
            try db.execute("INSERT INTO victims VALUES (1)")
            try db.execute("CREATE TABLE entries (id int PRIMARY KEY, value text)")
            let values = PostgresSinkIntegration.hostileValues
            for (index, value) in values.enumerated() {
                try db.execute("INSERT INTO entries (id, value) VALUES ($1, $2)", parameters: [String(index), value])
            }

            let rows = try db.execute("SELECT id, value, octet_length(value) AS bytes FROM entries ORDER BY id")
            try #require(rows.rowCount == values.count)
            #expect(rows.columnNames == ["id", "value", "bytes"])
            for (index, value) in values.enumerated() {
                #expect(rows.value(row: index, column: 0) == String(index))
                // Compare bytes, not Strings: String equality is canonical equivalence.
                #expect(Array(rows.value(row: index, column: 1)?.utf8 ?? "<NULL>".utf8) == Array(value.utf8))
                // The server's own byte count, independent of how we read the value back.
                #expect(rows.value(row: index, column: "bytes") == String(value.utf8.count))
            }
            // None of the payloads ran as SQL.
            #expect(try db.execute("SELECT count(*) FROM victims").value(row: 0, column: 0) == "1")
        }

        @Test func nullIsDistinctFromEmptyString() throws {
            let (db, _) = try PostgresSinkIntegration.connectionInFreshSchema()
            try db.execute("CREATE TABLE n (id int, value text)")
            try db.execute("INSERT INTO n VALUES ($1, $2), ($3, $4)", parameters: ["1", nil, "2", ""])
            let rows = try db.execute("SELECT id, value, value IS NULL AS is_null FROM n ORDER BY id")
            try #require(rows.rowCount == 2)
            #expect(rows.value(row: 0, column: 1) == nil)
            #expect(rows.value(row: 0, column: "is_null") == "t")
            #expect(rows.value(row: 1, column: 1) == "")
            #expect(rows.value(row: 1, column: "is_null") == "f")
        }

        @Test func commandTagAndAffectedRows() throws {
            let (db, _) = try PostgresSinkIntegration.connectionInFreshSchema()
            let created = try db.execute("CREATE TABLE c (id int)")
            #expect(created.commandTag == "CREATE TABLE")
            #expect(created.affectedRows == nil)

            let inserted = try db.execute("INSERT INTO c SELECT generate_series(1, $1::int)", parameters: ["10"])
            #expect(inserted.commandTag == "INSERT 0 10")
            #expect(inserted.affectedRows == 10)

            let updated = try db.execute("UPDATE c SET id = id + 100 WHERE id % 3 = 0")
            #expect(updated.affectedRows == (1...10).filter { $0 % 3 == 0 }.count)

            let selected = try db.execute("SELECT id FROM c WHERE id > $1::int ORDER BY id", parameters: ["100"])
            #expect(selected.rows == [["103"], ["106"], ["109"]])
            #expect(selected.affectedRows == 3)
            #expect(selected.commandTag == "SELECT 3")
        }

        @Test func syntaxErrorIsTypedWithSQLState() throws {
            let (db, _) = try PostgresSinkIntegration.connectionInFreshSchema()
            let error = try #require(throws: PostgresError.self) { try db.execute("SELEC 1") }
            #expect(error.code == .queryFailed)
            #expect(error.sqlState == "42601")
            #expect(error.query == "SELEC 1")
            #expect(db.isConnected)
            #expect(try db.execute("SELECT 1").rows == [["1"]])
        }

        @Test func uniqueViolationIsTypedWithSQLState() throws {
            let (db, _) = try PostgresSinkIntegration.connectionInFreshSchema()
            try db.execute("CREATE TABLE u (id int PRIMARY KEY)")
            try db.execute("INSERT INTO u VALUES ($1)", parameters: ["7"])
            let error = try #require(throws: PostgresError.self) {
                try db.execute("INSERT INTO u VALUES ($1)", parameters: ["7"])
            }
            #expect(error.sqlState == "23505")
        }

        @Test func nulByteIsRejectedBeforeSending() throws {
            let (db, _) = try PostgresSinkIntegration.connectionInFreshSchema()
            try db.execute("CREATE TABLE z (value text)")
            let error = try #require(throws: PostgresError.self) {
                try db.execute("INSERT INTO z VALUES ($1)", parameters: ["before\u{0}after"])
            }
            #expect(error.code == .invalidParameter)
            #expect(error.sqlState == nil)
            #expect(try db.execute("SELECT count(*) FROM z").rows == [["0"]])
        }

        @Test func connectionToClosedPortThrowsTyped() throws {
            let port = try FreePort.next()
            let error = try #require(throws: PostgresError.self) {
                try PGConnection(
                    conninfo: "host=127.0.0.1 port=\(port) user=postgres dbname=postgres connect_timeout=5"
                )
            }
            #expect(error.code == .connectionFailed)
            #expect(error.message.contains("\(port)"))
        }

        @Test func unknownDatabaseThrowsTyped() throws {
            let cluster = try PostgresSinkIntegration.cluster()
            let error = try #require(throws: PostgresError.self) {
                try cluster.connect(database: "no_such_database")
            }
            #expect(error.code == .connectionFailed)
            #expect(error.message.contains("no_such_database"))
        }

        @Test func terminatedBackendIsConnectionLost() throws {
            let cluster = try PostgresSinkIntegration.cluster()
            let victim = try cluster.connect()
            let admin = try cluster.connect()
            let terminated = try admin.execute(
                "SELECT pg_terminate_backend($1::int)",
                parameters: [String(victim.backendPID)]
            )
            #expect(terminated.rows == [["t"]])
            let error = try #require(throws: PostgresError.self) { try victim.execute("SELECT 1") }
            #expect(error.code == .connectionLost)
            #expect(!victim.isConnected)
        }

        @Test func noticesGoToTheLoggerAtDebug() throws {
            let capture = LogCapture()
            let (db, _) = try PostgresSinkIntegration.connectionInFreshSchema(logger: capture.logger())
            try db.execute("DROP TABLE IF EXISTS no_such_table")
            let notice = try #require(
                capture.entries.first { $0.metadata["postgres.message"]?.contains("no_such_table") == true }
            )
            #expect(notice.level == .debug)
            #expect(notice.metadata["postgres.severity"] == "NOTICE")
            #expect(notice.metadata["postgres.sqlstate"] == "00000")
        }

        @Test func backendPIDAndServerVersionMatchTheServer() throws {
            let cluster = try PostgresSinkIntegration.cluster()
            let db = try cluster.connect()
            #expect(try db.execute("SELECT pg_backend_pid()").rows == [[String(db.backendPID)]])
            #expect(try db.execute("SHOW server_version_num").rows == [[String(db.serverVersion)]])
            #expect(db.serverVersion / 10000 == cluster.installation.majorVersion)
        }

        @Test func copyStatementsThroughExecuteAreRejectedAndLeaveTheConnectionIdle() throws {
            let (db, _) = try PostgresSinkIntegration.connectionInFreshSchema()
            try db.execute("CREATE TABLE k (value text)")
            let copyIn = try #require(throws: PostgresError.self) { try db.execute("COPY k FROM STDIN") }
            #expect(copyIn.code == .unexpectedResult)
            let copyOut = try #require(throws: PostgresError.self) { try db.execute("COPY k TO STDOUT") }
            #expect(copyOut.code == .unexpectedResult)
            #expect(try db.execute("SELECT count(*) FROM k").rows == [["0"]])
        }
    }
}
