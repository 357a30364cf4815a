import PipelineTestSupport
import PostgresSink
import Testing

extension PostgresSinkIntegration {
    @Suite struct PGConnectionCopyTests {
        @Test func copyInStoresRowsByteIdentical() throws {
            let (db, _) = try PostgresSinkIntegration.connectionInFreshSchema()
            try db.execute("CREATE TABLE c (id int, value text)")
            var rows: [[String?]] = PostgresSinkIntegration.hostileValues.enumerated().map {
                [String($0.offset), $0.element]
            }
            rows.append([String(rows.count), nil])
            // Enough rows to need several CopyData chunks.
            for index in rows.count..<20_000 {
                rows.append([String(index), "/path/\(index)?q=\\\t'"])
            }
            let stored = try db.copyIn("COPY c (id, value) FROM STDIN", rows: rows)
            #expect(stored == rows.count)

            let back = try db.execute("SELECT id, value FROM c ORDER BY id")
            try #require(back.rowCount == rows.count)
            var mismatches = 0
            for (index, row) in rows.enumerated()
            where back.rows[index].map({ $0.map { Array($0.utf8) } }) != row.map({ $0.map { Array($0.utf8) } }) {
                mismatches += 1
            }
            #expect(mismatches == 0)
        }

        @Test func wrongColumnCountIsTypedAndStoresNothing() throws {
            let (db, _) = try PostgresSinkIntegration.connectionInFreshSchema()
            try db.execute("CREATE TABLE w (id int, value text)")
            let error = try #require(throws: PostgresError.self) {
                try db.copyIn("COPY w (id, value) FROM STDIN", rows: [["1", "a"], ["2"]])
            }
            #expect(error.code == .copyFailed)
            #expect(error.sqlState == "22P04")
            #expect(try db.execute("SELECT count(*) FROM w").rows == [["0"]])
        }

        @Test func failureMidStreamAbortsTheCopyAndKeepsTheConnection() throws {
            let (db, _) = try PostgresSinkIntegration.connectionInFreshSchema()
            try db.execute("CREATE TABLE m (id int, value text)")
            let filler = String(repeating: "y", count: 200)
            // More than one chunk goes out before the bad row is reached.
            var rows: [[String?]] = (0..<3_000).map { [String($0), filler] }
            rows.append(["3000", "nul\u{0}inside"])
            let error = try #require(throws: PostgresError.self) {
                try db.copyIn("COPY m (id, value) FROM STDIN", rows: rows)
            }
            #expect(error.code == .invalidParameter)
            #expect(db.isConnected)
            #expect(try db.execute("SELECT count(*) FROM m").rows == [["0"]])
        }

        @Test func copyInRawDataInCSVFormat() throws {
            let (db, _) = try PostgresSinkIntegration.connectionInFreshSchema()
            try db.execute("CREATE TABLE v (id int, value text)")
            let csv = Array("1,\"a,b\"\n2,\"say \"\"hi\"\"\"\n3,\n".utf8)
            let stored = try db.copyIn("COPY v FROM STDIN (FORMAT csv)", data: csv)
            #expect(stored == 3)
            #expect(try db.execute("SELECT value FROM v ORDER BY id").rows == [["a,b"], ["say \"hi\""], [nil]])
        }

        @Test func copyInWithANonCopyStatementIsRejected() throws {
            let (db, _) = try PostgresSinkIntegration.connectionInFreshSchema()
            let error = try #require(throws: PostgresError.self) {
                try db.copyIn("SELECT 1", rows: [["1"]])
            }
            #expect(error.code == .unexpectedResult)
            #expect(try db.execute("SELECT 2").rows == [["2"]])
        }
    }
}
