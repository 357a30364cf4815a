import PostgresSink

/// Which database of an installation something happened in.
public enum DatabaseRole: Sendable, Hashable, CustomStringConvertible {
    /// Shard `id` (its index in the `--shards` list and the `shard_id` of its rows).
    case shard(Int)
    case coordinator

    /// The migrations this database gets.
    public var kind: Migration.Kind {
        switch self {
        case .shard: .shard
        case .coordinator: .coordinator
        }
    }

    public var description: String {
        switch self {
        case .shard(let id): "shard \(id)"
        case .coordinator: "coordinator"
        }
    }
}

/// Why installing the edgelog schema failed (`SchemaInstaller.install`, `migrate`).
///
/// Every case names the database (`DatabaseRole`) and, where one exists, its connection string
/// *redacted* (`PGConninfo.redacted`): these errors are printed by `edgelog db init` and logged by
/// the consumer, and must never carry a password. `PostgresError`s inside carry our SQL text and
/// the server's message, never parameter values.
public enum SchemaError: Error, Sendable, CustomStringConvertible {
    /// `install` was given no shard.
    case noShards
    /// A connection string libpq cannot parse.
    case invalidConninfo(database: DatabaseRole, error: PGConninfoError)
    /// Could not connect; `message` is libpq's (it names host and user, not the password).
    case connectionFailed(database: DatabaseRole, conninfo: String, message: String)
    /// The database has a schema version this binary does not know: it was migrated by a newer
    /// edgelog. Nothing was changed.
    case newerSchema(database: DatabaseRole, conninfo: String, found: Int, known: Int)
    /// Statement `statement` (0-based) of migration `version` failed; the migration was rolled
    /// back as a whole.
    case migrationFailed(database: DatabaseRole, conninfo: String, version: Int, statement: Int, error: PostgresError)
    /// Migration `version` ran but did not record itself in `edgelog.schema_migrations` (its text
    /// and `Migration.version` disagree); it was rolled back.
    case migrationNotRecorded(database: DatabaseRole, conninfo: String, version: Int)
    /// A bookkeeping query failed (locking, reading the applied versions, committing).
    case queryFailed(database: DatabaseRole, conninfo: String, step: String, error: PostgresError)
    /// `edgelog.define_shard` failed on the coordinator for shard `shardID`; no shard was
    /// (re)defined in that run (they run in one transaction).
    case defineShardFailed(shardID: Int, shardConninfo: String, error: PostgresError)

    public var description: String {
        switch self {
        case .noShards:
            return "no shard given: pass at least one shard connection string"
        case .invalidConninfo(let database, let error):
            return "\(database): \(error)"
        case .connectionFailed(let database, let conninfo, let message):
            return "\(database) (\(conninfo)): cannot connect: \(message)"
        case .newerSchema(let database, let conninfo, let found, let known):
            return "\(database) (\(conninfo)): schema version \(found) is newer than this edgelog "
                + "(knows up to \(known)); upgrade edgelog"
        case .migrationFailed(let database, let conninfo, let version, let statement, let error):
            return "\(database) (\(conninfo)): migration \(version) failed at statement \(statement + 1) "
                + "and was rolled back: \(error.sqlState.map { "[\($0)] " } ?? "")\(error.message)"
        case .migrationNotRecorded(let database, let conninfo, let version):
            return "\(database) (\(conninfo)): migration \(version) did not record itself in "
                + "edgelog.schema_migrations and was rolled back (a bug in this edgelog build)"
        case .queryFailed(let database, let conninfo, let step, let error):
            return "\(database) (\(conninfo)): \(step) failed: \(error.sqlState.map { "[\($0)] " } ?? "")\(error.message)"
        case .defineShardFailed(let shardID, let shardConninfo, let error):
            return "coordinator: defining shard \(shardID) (\(shardConninfo)) failed: "
                + "\(error.sqlState.map { "[\($0)] " } ?? "")\(error.message)"
        }
    }
}

/// Why `SchemaInstaller.checkShard` refuses a database: the consumer stops on it (it is not
/// retryable: waiting does not migrate a schema) instead of failing in the middle of a flush.
public enum SchemaCheckFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// The database has no edgelog schema (run `edgelog db init`).
    case missing(shardID: Int?)
    /// The database is an edgelog database but not a shard (e.g. the coordinator, whose tables
    /// are foreign tables: writing there would bypass the shards' bookkeeping).
    case notAShard(shardID: Int?)
    /// The shard's schema version differs from the one this binary writes
    /// (`SchemaInstaller.knownVersion`): older means not migrated yet, newer means a newer edgelog
    /// migrated it.
    case versionMismatch(shardID: Int?, found: Int, expected: Int)

    public var description: String {
        switch self {
        case .missing(let shardID):
            return "\(Self.name(shardID)) has no edgelog schema; run `edgelog db init`"
        case .notAShard(let shardID):
            return "\(Self.name(shardID)) is not an edgelog shard database (is it the coordinator?)"
        case .versionMismatch(let shardID, let found, let expected):
            let advice = found < expected ? "run `edgelog db init` with this edgelog" : "upgrade edgelog"
            return "\(Self.name(shardID)) has schema version \(found), this edgelog needs \(expected); \(advice)"
        }
    }

    private static func name(_ shardID: Int?) -> String {
        shardID.map { "shard \($0)" } ?? "the database"
    }
}
