import Foundation
import PipelineTestSupport
import PostgresSink
import Testing

extension PostgresSinkIntegration {
    @Suite struct CopyTextFormatTests {
        /// The reference is the server itself: rows stored through parameters, exported with
        /// `COPY ... TO STDOUT` by `psql`, must be byte-identical to our encoding of the same rows.
        @Test func encodingEqualsTheServersCopyOutput() async throws {
            let cluster = try PostgresSinkIntegration.cluster()
            let (db, schema) = try PostgresSinkIntegration.connectionInFreshSchema()
            try db.execute("CREATE TABLE e (id int, value text, other text)")
            var rows: [[String?]] = []
            for (index, value) in PostgresSinkIntegration.hostileValues.enumerated() {
                rows.append([String(index), value, index % 3 == 0 ? nil : "x\(index)"])
            }
            rows.append([String(rows.count), nil, nil])
            for row in rows {
                try db.execute("INSERT INTO e VALUES ($1, $2, $3)", parameters: row)
            }

            let table = "\(try SQLIdentifier.quoted(schema)).e"
            let exported = try await ExternalTool.run(
                "psql",
                [
                    "-X", "-q", "-v", "ON_ERROR_STOP=1", cluster.conninfo(), "-c",
                    "COPY (SELECT * FROM \(table) ORDER BY id) TO STDOUT",
                ]
            )
            try #require(exported.status == 0, "\(exported.stderrText)")
            #expect(try CopyTextFormat.encode(rows: rows) == Array(exported.stdout))
        }

        @Test func nulByteLeavesTheBufferUnchanged() throws {
            var buffer = try CopyTextFormat.encode(rows: [["first", nil]])
            let before = buffer
            #expect(throws: PostgresError.self) {
                try CopyTextFormat.appendRow(["ok", "bad\u{0}byte"], to: &buffer)
            }
            #expect(buffer == before)
        }
    }
}
