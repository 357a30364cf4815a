import Foundation
import PostgresSink

/// One connection to the coordinator database for the reports, and the checks every report
/// makes before it reads anything.
///
/// Every value (range ends, site names, limits) goes to the server as a parameter; the SQL
/// texts are constants of the report types, with identifiers picked from fixed lists only.
/// Meant for the analysts' read-only role `edgelog_analyst` (it needs nothing more).
///
/// Not `Sendable`: it owns a libpq connection, which belongs to one thread at a time.
public final class CoordinatorSession {
    let connection: PGConnection
    /// The connection string without its password, for messages.
    public let redactedConninfo: String
    /// The schema versions the coordinator has applied (read once, on the first check).
    private var appliedVersions: [Int]?

    /// Connects to `conninfo` (a libpq key=value string or URL).
    /// - Throws: `ReportError.invalidArgument` for a string libpq cannot parse (checked first:
    ///   libpq's own message about it may quote a piece of it, password included);
    ///   `ReportError.coordinatorUnreachable` when libpq cannot connect.
    public init(conninfo: String) throws {
        let redacted: String
        do {
            redacted = try PGConninfo(conninfo).redacted
        } catch let error as PGConninfoError {
            throw ReportError.invalidArgument("--coordinator: \(error)")
        }
        redactedConninfo = redacted
        do {
            connection = try PGConnection(conninfo: conninfo)
        } catch let error as PostgresError {
            throw ReportError.coordinatorUnreachable(coordinator: redacted, reason: error.message)
        }
    }

    /// Checks that the coordinator has applied migration `version`, which `report` reads.
    /// - Throws: `ReportError.schemaTooOld` naming the version and what the coordinator has.
    public func requireSchema(version: Int, report: String) throws {
        let versions = try schemaVersions(report: report)
        guard versions.contains(version) else {
            throw ReportError.schemaTooOld(report: report, needed: version, found: versions)
        }
    }

    /// The applied versions; empty when the coordinator has no edgelog schema at all.
    func schemaVersions(report: String) throws -> [Int] {
        if let appliedVersions { return appliedVersions }
        let versions: [Int]
        do {
            let result = try connection.execute("SELECT version FROM edgelog.schema_migrations ORDER BY version")
            versions = result.rows.compactMap { $0.first.flatMap { $0 }.flatMap { Int($0) } }
        } catch let error as PostgresError where error.sqlState == "42P01" || error.sqlState == "3F000" {
            // undefined_table / invalid_schema_name: `edgelog db init` never ran here.
            versions = []
        } catch let error as PostgresError {
            throw mapped(error, report: report)
        }
        appliedVersions = versions
        return versions
    }

    /// Runs one report query and returns its rows as `ResultRow`s.
    func rows(_ sql: String, _ parameters: [String?], report: String) throws -> [ResultRow] {
        do {
            let result = try connection.execute(sql, parameters: parameters)
            return result.rows.map { ResultRow(values: $0, columns: result.columnNames, report: report) }
        } catch let error as PostgresError {
            throw mapped(error, report: report)
        }
    }

    private func mapped(_ error: PostgresError, report: String) -> ReportError {
        if error.code == .connectionLost || error.code == .connectionFailed {
            return .coordinatorUnreachable(coordinator: redactedConninfo, reason: error.message)
        }
        return .queryFailed(report: report, sqlState: error.sqlState, reason: error.message)
    }
}
