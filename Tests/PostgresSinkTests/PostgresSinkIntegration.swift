import Foundation
import Logging
import PipelineTestSupport
import PostgresSink
import Testing

/// Every PostgresSink test runs against one real PostgreSQL cluster, started by the harness
/// for this suite (as the `postgres` user when the tests run as root) and stopped when it ends.
/// Nested suites in the other files extend this type, so they share the cluster.
@Suite(.serialized, .postgresCluster)
struct PostgresSinkIntegration {
    /// The suite's cluster.
    static func cluster() throws -> PostgresCluster {
        try #require(PostgresCluster.current, "no cluster: the suite must carry .postgresCluster")
    }

    /// A connection whose `search_path` is a fresh, empty schema, so tests never see each
    /// other's tables. The schema name is returned for statements that need to qualify names.
    static func connectionInFreshSchema(logger: Logger? = nil) throws -> (PGConnection, schema: String) {
        let cluster = try cluster()
        let connection = try logger.map { try cluster.connect(logger: $0) } ?? cluster.connect()
        let schema = "t_\(UUID().uuidString.prefix(8).lowercased())"
        try connection.execute("CREATE SCHEMA \(try SQLIdentifier.quoted(schema))")
        try connection.execute("SET search_path TO \(try SQLIdentifier.quoted(schema))")
        return (connection, schema)
    }

    /// Values an nginx log may carry that have broken SQL built by string splicing somewhere.
    static let hostileValues: [String] = [
        "'); DROP TABLE victims; --",
        "Robert'); DROP TABLE students;--",
        "it's \"quoted\" '' \"\"",
        "back\\slash \\' \\\\ and a trailing backslash\\",
        "$1 $2 ? %s %d {0}",
        "tab\there\nnewline\r\ncrlf\u{8}bs\u{b}vt\u{c}ff",
        "unicode: héllo 日本語 🚀 \u{202E}rtl \u{FEFF}bom",
        "",
        "  leading and trailing  ",
        "/index.php?id=1 UNION SELECT password FROM pg_shadow--",
        "E'\\x41' \\N \\. $$dollar$$ $tag$",
        String(repeating: "0123456789", count: 10_000),
    ]
}
