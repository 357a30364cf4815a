import PipelineTestSupport
import PostgresSink
import Testing

extension PostgresSinkIntegration {
    @Suite struct SQLIdentifierTests {
        @Test(arguments: [
            "plain",
            "UPPER and lower",
            "weird \"name\" \"\"",
            "Robert'); DROP TABLE x;--",
            "日本語のテーブル",
            String(repeating: "a", count: SQLIdentifier.maximumBytes),
        ])
        func quotedNamesReachTheCatalogUnchanged(name: String) throws {
            let (db, schema) = try PostgresSinkIntegration.connectionInFreshSchema()
            try db.execute("CREATE TABLE \(try SQLIdentifier.quoted(name)) (id int)")
            let found = try db.execute(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1",
                parameters: [schema]
            )
            #expect(found.rows == [[name]])
        }

        @Test(arguments: ["", String(repeating: "a", count: SQLIdentifier.maximumBytes + 1), "nul\u{0}"])
        func unusableNamesAreRejected(name: String) {
            #expect(throws: PostgresError.self) { try SQLIdentifier.quoted(name) }
        }
    }
}
