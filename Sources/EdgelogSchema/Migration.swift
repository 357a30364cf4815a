/// One versioned step of a database's schema: fixed SQL text, applied once, in one transaction.
///
/// The text lives in Swift (the binaries are copied to machines without the source tree, and a
/// resource bundle would be one more thing to copy) and, byte-identical, in
/// `schemas/postgres/<kind>/<NNNN>_<name>.sql` for people and for `psql -1 -f`; a test compares the
/// two. Invariants, checked by the tests:
/// - a migration's text never changes once released: schema changes are new migrations;
/// - versions of one kind are 1, 2, 3, ... without gaps, in array order;
/// - the text ends by recording itself:
///   `INSERT INTO edgelog.schema_migrations (version, name) VALUES (<version>, '<name>')`, so a
///   database migrated by hand with psql reads the same as one migrated by `SchemaInstaller`
///   (which checks that the row is there before committing).
public struct Migration: Sendable, Hashable {
    /// Which kind of database a migration belongs to; each kind has its own version sequence.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A shard: the site tables, progress, audit and rejected records the consumer writes.
        case shard
        /// The coordinator: postgres_fdw partitions over the shards and the analysts' views.
        case coordinator

        /// All migrations of this kind, oldest first.
        public var migrations: [Migration] {
            switch self {
            case .shard: [.shard0001, .shard0002, .shard0003, .shard0004, .shard0005]
            case .coordinator:
                [.coordinator0001, .coordinator0002, .coordinator0003, .coordinator0004, .coordinator0005]
            }
        }

        /// The newest version of this kind that this binary knows.
        public var knownVersion: Int { migrations.last?.version ?? 0 }

        /// Directory under `schemas/postgres/` that holds this kind's files.
        public var directoryName: String { rawValue }
    }

    /// 1, 2, 3, ... within its kind.
    public let version: Int
    /// Short snake_case name, also stored in `edgelog.schema_migrations.name`.
    public let name: String
    /// The SQL text: statements separated by `;`, plpgsql bodies in dollar quotes.
    public let sql: String

    /// File name of this migration under `schemas/postgres/<kind>/`, e.g. `0001_initial.sql`.
    public var fileName: String {
        let digits = String(version)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits + "_\(name).sql"
    }

    /// The statements of `sql`, in order (see `SQLScript.statements(in:)`): the wire protocol's
    /// parameterised path runs one statement per call.
    public var statements: [String] { SQLScript.statements(in: sql) }
}
