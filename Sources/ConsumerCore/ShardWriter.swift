import Dispatch
import EdgelogSchema
import Logging
import PostgresSink

/// One shard's libpq connection and the thread it lives on.
///
/// libpq is blocking and a `PGConnection` is not thread-safe, so each shard gets a serial
/// dispatch queue that alone touches its connection; async callers wait on a continuation and
/// never block Swift's cooperative pool (PITFALLS: two blocked pool threads stall everything on
/// 2 cores). A failed call drops the connection; the next call connects again.
final class ShardWriter: @unchecked Sendable {
    let shard: Int
    /// The connection string without its password, for logs and errors.
    let description: String
    private let conninfo: String
    private let commitDelay: Duration
    private let logger: Logger
    private let queue: DispatchQueue
    /// Touched only on `queue`.
    private var connection: PGConnection?
    /// Epoch days whose minute partition exists (touched only on `queue`).
    private var knownDays = Set<Int64>()

    init(shard: Int, conninfo: String, description: String, commitDelay: Duration, logger: Logger) {
        self.shard = shard
        self.conninfo = conninfo
        self.description = description
        self.commitDelay = commitDelay
        self.logger = logger
        self.queue = DispatchQueue(label: "edgelog.consumer.shard-\(shard)")
    }

    /// The shard's progress rows of `partitions` (a first look at start, before claiming).
    func readProgress(topic: String, partitions: [Int32]) async throws -> [Int32: StoredProgress] {
        try await onQueue { [self] in
            let rows = try connected().execute(
                ShardStatements.readProgress, parameters: [topic, ShardStatements.arrayLiteral(partitions)]
            ).rows
            return Self.progress(from: rows)
        }
    }

    /// Claims `partitions` of `topic` on this shard for `consumerID` and returns their progress
    /// (DESIGN §10.5): from now on a flush of any consumer that started earlier is fenced here.
    /// Progress written against another broker cluster is refused before anything changes.
    /// - Parameter seeds: where partitions without a row start (default: offset 0).
    func claim(
        topic: String, partitions: [Int32], clusterID: String, consumerID: String,
        seeds: [Int32: StoredProgress] = [:]
    ) async throws -> [Int32: StoredProgress] {
        try await onQueue { [self] in
            let connection = try connected()
            let list = ShardStatements.arrayLiteral(partitions)
            try connection.execute("BEGIN")
            do {
                let current = try connection.execute(ShardStatements.lockProgress, parameters: [topic, list])
                for row in current.rows {
                    if let partition = row[0].flatMap({ Int32($0) }), let cluster = row[2], cluster != clusterID {
                        throw ConsumerError.clusterChanged(
                            shard: shard, partition: partition, stored: cluster, broker: clusterID)
                    }
                }
                let offsets = ShardStatements.arrayLiteral(partitions.map { seeds[$0]?.nextOffset ?? 0 })
                let watermarks = ShardStatements.arrayLiteral(partitions.map { seeds[$0]?.watermarkMicros ?? 0 })
                let claimed = try connection.execute(
                    ShardStatements.claimProgress,
                    parameters: ["\(shard)", topic, list, clusterID, consumerID, offsets, watermarks])
                try connection.execute("COMMIT")
                return Self.progress(from: claimed.rows)
            } catch {
                _ = try? connection.execute("ROLLBACK")
                throw error
            }
        }
    }

    /// Rows of (partition, next offset, watermark, cluster id).
    private static func progress(from rows: [[String?]]) -> [Int32: StoredProgress] {
        var progress: [Int32: StoredProgress] = [:]
        for row in rows {
            guard let partition = row[0].flatMap({ Int32($0) }), let offset = row[1].flatMap({ Int64($0) }),
                let watermark = row[2].flatMap({ Int64($0) })
            else { continue }
            progress[partition] = StoredProgress(nextOffset: offset, watermarkMicros: watermark, clusterID: row[3] ?? "")
        }
        return progress
    }

    /// Runs one flush transaction (one attempt).
    func commit(_ flush: ShardFlush) async throws -> ShardFlushOutcome {
        try await onQueue { [self] in
            try ShardTransaction(connection: try connected(), commitDelay: commitDelay).run(flush, knownDays: &knownDays)
        }
    }

    /// Creates the minute partitions of `days` (epoch days) that are not known to exist, each in
    /// its own short transaction, so the flushes of those days find them ready.
    func prepareDays(_ days: [Int64]) async throws {
        try await onQueue { [self] in
            let connection = try connected()
            for day in days where !knownDays.contains(day) {
                try connection.execute(ShardStatements.ensureDay, parameters: ["\(day)"])
                knownDays.insert(day)
            }
        }
    }

    /// Drops the minute partitions of days before `day` (epoch days); returns how many.
    func dropMinuteDays(before day: Int64) async throws -> Int {
        try await onQueue { [self] in
            let result = try connected().execute(ShardStatements.dropMinuteDays, parameters: ["\(day)"])
            knownDays = knownDays.filter { $0 >= day }
            return result.rows.first?.first.flatMap { $0 }.flatMap { Int($0) } ?? 0
        }
    }

    /// Deletes the top-talker and admission rows of days before `day` (epoch days); returns how many.
    func deleteSketchRows(before day: Int64) async throws -> Int {
        try await onQueue { [self] in
            let result = try connected().execute(ShardStatements.deleteSketchDays, parameters: ["\(day)"])
            return result.rows.first?.first.flatMap { $0 }.flatMap { Int($0) } ?? 0
        }
    }

    /// The cap's admissions stored on this shard for minutes from `minute` (epoch seconds) on.
    func readAdmissions(since minute: Int64) async throws -> [(minute: Int64, site: String)] {
        try await onQueue { [self] in
            let result = try connected().execute(ShardStatements.readAdmissions, parameters: ["\(minute)"])
            return result.rows.compactMap { row -> (minute: Int64, site: String)? in
                guard row.count == 2, let minute = row[0].flatMap({ Int64($0) }), let site = row[1] else { return nil }
                return (minute, site)
            }
        }
    }

    /// Closes the connection (at shutdown).
    func close() async {
        _ = try? await onQueue { [self] in connection = nil }
    }

    /// On `queue`: the open connection, or a new one set up for the consumer.
    private func connected() throws -> PGConnection {
        if let connection, connection.isConnected { return connection }
        connection = nil
        let fresh: PGConnection
        do {
            fresh = try PGConnection(conninfo: conninfo, logger: logger)
        } catch let error as PostgresError {
            throw ShardUnavailable(shard: shard, database: description, message: error.message)
        }
        try SchemaInstaller.checkShard(fresh, shardID: shard)
        try fresh.execute("SET TIME ZONE 'UTC'")
        try fresh.execute("SET application_name = 'edgelog-consumer'")
        // A statement that hangs (a lock held elsewhere, a server in trouble) fails and is retried
        // instead of holding the shard's queue forever.
        try fresh.execute("SET statement_timeout = '120s'")
        try fresh.execute(ShardStatements.createStaging)
        try fresh.execute(ShardStatements.createTopStaging)
        try fresh.execute(ShardStatements.createAttackSampleStaging)
        knownDays = []
        connection = fresh
        logger.info("connected to shard", metadata: ["shard": "\(shard)", "shard.database": "\(description)"])
        return fresh
    }

    /// Runs `body` on the writer's queue; a thrown error drops the connection unless it is one
    /// that says nothing about the connection (a fence or cluster change).
    private func onQueue<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { [self] in
                do {
                    continuation.resume(returning: try body())
                } catch {
                    if !(error is ConsumerError) { connection = nil }
                    continuation.resume(throwing: error)
                }
            }
        }
    }
}

/// A shard's progress row for one partition.
struct StoredProgress: Sendable, Equatable {
    var nextOffset: Int64
    var watermarkMicros: Int64
    var clusterID: String
}

/// A shard could not be reached; retried with backoff. Carries the redacted connection string.
struct ShardUnavailable: Error, CustomStringConvertible {
    var shard: Int
    /// The redacted connection string.
    var database: String
    var message: String

    var description: String { "shard \(shard) (\(database)) unavailable: \(message)" }
}

