import Logging
import PostgresSink

/// Brings shard and coordinator databases to the schema this binary knows, and checks a shard's
/// version for the consumer.
///
/// Per database (`migrate`), each migration is one transaction that:
/// 1. takes `pg_advisory_xact_lock(advisoryLockKey)`, so two installers on one database apply
///    each migration once (the second waits, then sees it applied);
/// 2. reads the applied versions (`edgelog.schema_migrations`, absent before migration 1);
/// 3. refuses a database with a version newer than this binary knows (`SchemaError.newerSchema`)
///    without changing anything: an old binary must not "repair" a newer schema;
/// 4. runs the first missing migration's statements and checks that it recorded itself;
/// 5. commits. Any failure rolls the whole migration back.
///
/// Re-running on up-to-date databases applies nothing, and on the coordinator only re-declares
/// the shards (`edgelog.define_shard` is idempotent and refreshes the foreign tables' statistics).
///
/// Blocking: libpq calls block the calling thread. Call from a thread that may block (the CLI,
/// a dedicated thread), not from many tasks of the cooperative pool at once.
public struct SchemaInstaller {
    /// The shard schema version this binary writes and the consumer requires (`checkShard`).
    public static var knownVersion: Int { Migration.Kind.shard.knownVersion }
    /// The coordinator schema version this binary knows.
    public static var knownCoordinatorVersion: Int { Migration.Kind.coordinator.knownVersion }

    /// `pg_advisory_xact_lock` key serialising schema changes on one database: the bytes of
    /// "edgelog\u{1}" as a big-endian Int64. Other edgelog code must not take this key.
    public static let advisoryLockKey: Int64 = 7_306_078_180_810_385_153

    public let logger: Logger

    /// - Parameter logger: where progress goes (debug level); the executable owns it.
    public init(logger: Logger = PGConnection.discardingLogger) {
        self.logger = logger
    }

    // MARK: - Installing

    /// Migrates every shard, then the coordinator (if given), then declares every shard on the
    /// coordinator with `edgelog.define_shard`.
    ///
    /// - Parameters:
    ///   - shards: libpq connection strings (key=value or `postgresql://` URLs); the index in the
    ///     array is the shard id. The coordinator's server connects to each shard with its host,
    ///     port, dbname, user and password, so they must be valid from the coordinator's server
    ///     too, and a password from `PGPASSWORD` or `~/.pgpass` does not reach it.
    ///   - coordinator: the coordinator's connection string, or `nil` to migrate shards only.
    /// - Returns: what was applied where (redacted connection strings), for printing.
    /// - Throws: `SchemaError`. Databases before the failing one keep what was applied to them
    ///   (each migration commits on its own); re-running after fixing the cause continues.
    public func install(shards: [String], coordinator: String?) throws -> InstallSummary {
        guard !shards.isEmpty else { throw SchemaError.noShards }
        // Parse everything first: a typo in the last URL should not leave the first shards migrated.
        let shardInfos = try shards.enumerated().map { index, text in
            try Self.parse(text, database: .shard(index))
        }
        let coordinatorInfo = try coordinator.map { try Self.parse($0, database: .coordinator) }

        var results: [InstallSummary.DatabaseResult] = []
        for (index, info) in shardInfos.enumerated() {
            let connection = try connect(info, database: .shard(index))
            results.append(try migrate(connection, database: .shard(index), conninfo: info))
        }
        var defined: [Int] = []
        var notCarried: [Int: [String]] = [:]
        if let coordinatorInfo {
            let connection = try connect(coordinatorInfo, database: .coordinator)
            results.append(try migrate(connection, database: .coordinator, conninfo: coordinatorInfo))
            try defineShards(shardInfos, on: connection, coordinator: coordinatorInfo)
            defined = Array(shardInfos.indices)
            for (index, info) in shardInfos.enumerated() {
                notCarried[index] = Self.optionsNotCarried(info)
            }
        }
        return InstallSummary(databases: results, definedShards: defined, optionsNotCarried: notCarried)
    }

    /// Applies the missing migrations of `database.kind` to `connection`, one transaction each.
    /// - Parameter conninfo: only for messages (its redacted form); the connection is open already.
    /// - Returns: what was applied and the resulting version.
    /// - Throws: `SchemaError.newerSchema`, `.migrationFailed`, `.migrationNotRecorded`, `.queryFailed`.
    public func migrate(
        _ connection: PGConnection,
        database: DatabaseRole,
        conninfo: PGConninfo
    ) throws -> InstallSummary.DatabaseResult {
        let kind = database.kind
        let shown = conninfo.redacted
        var applied: [InstallSummary.AppliedMigration] = []
        var version = 0
        while true {
            try run(connection, "BEGIN", database: database, conninfo: shown, step: "BEGIN")
            do {
                try lock(connection, database: database, conninfo: shown)
                let versions = try Self.appliedVersions(connection, database: database, conninfo: shown)
                version = versions.max() ?? 0
                if version > kind.knownVersion {
                    throw SchemaError.newerSchema(database: database, conninfo: shown, found: version, known: kind.knownVersion)
                }
                guard let next = kind.migrations.first(where: { !versions.contains($0.version) }) else {
                    try run(connection, "ROLLBACK", database: database, conninfo: shown, step: "ROLLBACK")
                    break
                }
                logger.debug(
                    "applying migration",
                    metadata: ["edgelog.database": "\(database)", "edgelog.migration": "\(next.version)"]
                )
                try apply(next, on: connection, database: database, conninfo: shown)
                try run(connection, "COMMIT", database: database, conninfo: shown, step: "COMMIT")
                applied.append(InstallSummary.AppliedMigration(version: next.version, name: next.name))
            } catch {
                // The transaction is aborted or in progress; end it so the connection is usable.
                // Failing here too changes nothing: the original error says what went wrong.
                _ = try? connection.execute("ROLLBACK")
                throw error
            }
        }
        return InstallSummary.DatabaseResult(database: database, conninfo: shown, applied: applied, version: version)
    }

    private func apply(_ migration: Migration, on connection: PGConnection, database: DatabaseRole, conninfo: String) throws {
        for (index, statement) in migration.statements.enumerated() {
            do {
                try connection.execute(statement)
            } catch let error as PostgresError {
                throw SchemaError.migrationFailed(
                    database: database,
                    conninfo: conninfo,
                    version: migration.version,
                    statement: index,
                    error: error
                )
            }
        }
        let recorded = try run(
            connection,
            "SELECT count(*) FROM edgelog.schema_migrations WHERE version = $1::int",
            parameters: [String(migration.version)],
            database: database,
            conninfo: conninfo,
            step: "checking that migration \(migration.version) recorded itself"
        )
        guard recorded.rows.first?.first == "1" else {
            throw SchemaError.migrationNotRecorded(database: database, conninfo: conninfo, version: migration.version)
        }
    }

    /// Declares every shard on the coordinator in one transaction, under the schema lock.
    private func defineShards(_ shards: [PGConninfo], on connection: PGConnection, coordinator: PGConninfo) throws {
        let shown = coordinator.redacted
        try run(connection, "BEGIN", database: .coordinator, conninfo: shown, step: "BEGIN")
        do {
            try lock(connection, database: .coordinator, conninfo: shown)
            for (index, shard) in shards.enumerated() {
                logger.debug("defining shard on the coordinator", metadata: ["edgelog.shard": "\(index)"])
                do {
                    try connection.execute(
                        "SELECT edgelog.define_shard($1::int, $2, $3, $4, $5, $6)",
                        parameters: [
                            String(index), shard.host ?? shard.values["hostaddr"], shard.port, shard.dbname, shard.user,
                            shard.password,
                        ]
                    )
                } catch let error as PostgresError {
                    throw SchemaError.defineShardFailed(shardID: index, shardConninfo: shard.redacted, error: error)
                }
            }
            try run(connection, "COMMIT", database: .coordinator, conninfo: shown, step: "COMMIT")
        } catch {
            _ = try? connection.execute("ROLLBACK")
            throw error
        }
    }

    // MARK: - Checking a shard

    /// Checks that `connection` is a shard database at exactly `knownVersion`; the consumer calls
    /// it at start, before writing anything, so a schema too old (not migrated) or too new (a
    /// newer edgelog migrated it) stops it with a clear message instead of failing mid-flush.
    /// - Parameter shardID: only for the message.
    /// - Throws: `SchemaCheckFailure` (`.missing`, `.notAShard`, `.versionMismatch`), or
    ///   `PostgresError` when the queries themselves fail (e.g. the connection broke).
    public static func checkShard(_ connection: PGConnection, shardID: Int? = nil) throws {
        let tables = try connection.execute(
            """
            SELECT to_regclass('edgelog.schema_migrations') IS NOT NULL,
                   (SELECT relkind::text FROM pg_class WHERE oid = to_regclass('edgelog.consumer_progress'))
            """
        )
        guard let row = tables.rows.first, row.first == "t" else {
            throw SchemaCheckFailure.missing(shardID: shardID)
        }
        // On a shard consumer_progress is an ordinary table ('r'); on the coordinator it is a
        // partitioned parent of foreign tables ('p').
        guard row.count > 1, row[1] == "r" else { throw SchemaCheckFailure.notAShard(shardID: shardID) }
        let newest = try connection.execute("SELECT coalesce(max(version), 0) FROM edgelog.schema_migrations")
        let found = newest.rows.first?.first.flatMap { $0 }.flatMap { Int($0) } ?? 0
        guard found == knownVersion else {
            throw SchemaCheckFailure.versionMismatch(shardID: shardID, found: found, expected: knownVersion)
        }
    }

    /// The versions recorded in `edgelog.schema_migrations`, ascending; empty when the table does
    /// not exist yet (a fresh database).
    public static func appliedVersions(_ connection: PGConnection) throws -> [Int] {
        let exists = try connection.execute("SELECT to_regclass('edgelog.schema_migrations') IS NOT NULL")
        guard exists.rows.first?.first == "t" else { return [] }
        let rows = try connection.execute("SELECT version FROM edgelog.schema_migrations ORDER BY version")
        return rows.rows.compactMap { $0.first.flatMap { $0 }.flatMap { Int($0) } }
    }

    // MARK: - Helpers

    private static func parse(_ text: String, database: DatabaseRole) throws -> PGConninfo {
        do {
            return try PGConninfo(text)
        } catch let error as PGConninfoError {
            throw SchemaError.invalidConninfo(database: database, error: error)
        }
    }

    private func connect(_ info: PGConninfo, database: DatabaseRole) throws -> PGConnection {
        do {
            return try PGConnection(conninfo: info.string, logger: logger)
        } catch let error as PostgresError {
            throw SchemaError.connectionFailed(database: database, conninfo: info.redacted, message: error.message)
        }
    }

    private func lock(_ connection: PGConnection, database: DatabaseRole, conninfo: String) throws {
        try run(
            connection,
            "SELECT pg_advisory_xact_lock($1::bigint)",
            parameters: [String(Self.advisoryLockKey)],
            database: database,
            conninfo: conninfo,
            step: "taking the schema lock"
        )
    }

    private static func appliedVersions(_ connection: PGConnection, database: DatabaseRole, conninfo: String) throws -> [Int] {
        do {
            return try appliedVersions(connection)
        } catch let error as PostgresError {
            throw SchemaError.queryFailed(database: database, conninfo: conninfo, step: "reading applied versions", error: error)
        }
    }

    @discardableResult
    private func run(
        _ connection: PGConnection,
        _ sql: String,
        parameters: [String?] = [],
        database: DatabaseRole,
        conninfo: String,
        step: String
    ) throws -> PGResultRows {
        do {
            return try connection.execute(sql, parameters: parameters)
        } catch let error as PostgresError {
            throw SchemaError.queryFailed(database: database, conninfo: conninfo, step: step, error: error)
        }
    }

    /// Options of a shard's conninfo that `define_shard` does not pass to the foreign server.
    static func optionsNotCarried(_ info: PGConninfo) -> [String] {
        // hostaddr stands in for host only when there is no host.
        var carried: Set<String> = ["host", "port", "dbname", "user", "password"]
        if info.host == nil { carried.insert("hostaddr") }
        return info.values.keys.filter { !carried.contains($0) }.sorted()
    }
}
