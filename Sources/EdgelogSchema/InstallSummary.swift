/// What `SchemaInstaller.install` did, database by database, for printing. Holds redacted
/// connection strings only.
public struct InstallSummary: Sendable, Hashable, CustomStringConvertible {
    /// The outcome for one database.
    public struct DatabaseResult: Sendable, Hashable, CustomStringConvertible {
        public var database: DatabaseRole
        /// The connection string without secrets.
        public var conninfo: String
        /// Migrations applied in this run, oldest first; empty when the database was up to date.
        public var applied: [AppliedMigration]
        /// The database's schema version after the run.
        public var version: Int

        public var description: String {
            let what =
                applied.isEmpty
                ? "up to date"
                : "applied " + applied.map { "\($0.version) (\($0.name))" }.joined(separator: ", ")
            return "\(database) (\(conninfo)): \(what); schema version \(version)"
        }
    }

    /// One migration applied in this run.
    public struct AppliedMigration: Sendable, Hashable {
        public var version: Int
        public var name: String
    }

    /// Shards and then the coordinator, in the order they were migrated.
    public var databases: [DatabaseResult]
    /// Shard ids (re)declared on the coordinator with `edgelog.define_shard`; empty without one.
    public var definedShards: [Int]
    /// Per shard id: conninfo options the coordinator's postgres_fdw server does not get (only
    /// host, port, dbname, user and password are carried), e.g. `sslmode`. Shown so an operator
    /// knows the coordinator connects to the shard with libpq's defaults for them.
    public var optionsNotCarried: [Int: [String]]

    /// Whether nothing was applied anywhere (a re-run on up-to-date databases).
    public var appliedNothing: Bool { databases.allSatisfy(\.applied.isEmpty) }

    public var description: String {
        var lines = databases.map(\.description)
        if !definedShards.isEmpty {
            lines.append("coordinator: shards defined: " + definedShards.map(String.init).joined(separator: ", "))
        }
        for (shard, options) in optionsNotCarried.sorted(by: { $0.key < $1.key }) where !options.isEmpty {
            lines.append(
                "coordinator: shard \(shard): options not given to its foreign server: "
                    + options.joined(separator: ", ")
            )
        }
        return lines.joined(separator: "\n")
    }
}
