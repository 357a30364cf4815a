/// Why a report could not be produced, with what an operator needs to act on it.
///
/// Each case maps to one process exit code (`exitCode`, the table in `ReportExitCode`), so a
/// script can tell "the database is down" from "there was nothing to show" without reading the
/// message. Messages name the coordinator only by its redacted connection string
/// (`PGConninfo.redacted`): a password never reaches a terminal or a log through them.
public enum ReportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// libpq could not connect (refused, unknown host, authentication, unknown database), or
    /// the connection broke mid-report. `reason` is libpq's message.
    case coordinatorUnreachable(coordinator: String, reason: String)
    /// The coordinator's `edgelog.schema_migrations` lacks `needed` (or the table is missing:
    /// `found` empty). The report's SQL would fail or read columns that are not there.
    case schemaTooOld(report: String, needed: Int, found: [Int])
    /// The range (and site) holds no traffic row: nothing to report.
    case noData(report: String, range: ReportRange, site: String?)
    /// The server refused a report query (permissions, a statement timeout, ...).
    case queryFailed(report: String, sqlState: String?, reason: String)
    /// A value the report read is not what its SQL promises (a bug or a hand-altered view).
    case unexpectedValue(report: String, column: String, value: String?)
    /// A command-line value that cannot be used (a range that ends before it starts, ...).
    case invalidArgument(String)

    /// The process exit code for this error (see `ReportExitCode`).
    public var exitCode: Int32 {
        switch self {
        case .coordinatorUnreachable: ReportExitCode.coordinatorUnreachable
        case .schemaTooOld: ReportExitCode.schemaTooOld
        case .noData: ReportExitCode.noData
        case .queryFailed, .unexpectedValue: ReportExitCode.failure
        case .invalidArgument: ReportExitCode.usage
        }
    }

    public var description: String {
        switch self {
        case .coordinatorUnreachable(let coordinator, let reason):
            return "coordinator unreachable (\(coordinator)): \(reason)"
        case .schemaTooOld(let report, let needed, let found):
            let have = found.isEmpty ? "no edgelog schema" : "schema versions \(found.map(String.init).joined(separator: ", "))"
            return "\(report): the coordinator's schema is too old: this report needs migration \(needed), "
                + "the coordinator has \(have); run `edgelog db init` with this version of edgelog"
        case .noData(let report, let range, let site):
            let scope = site.map { " for site \($0)" } ?? ""
            return "\(report): no data in \(range)\(scope)"
        case .queryFailed(let report, let sqlState, let reason):
            return "\(report): query failed\(sqlState.map { " [\($0)]" } ?? ""): \(reason)"
        case .unexpectedValue(let report, let column, let value):
            return "\(report): unexpected value \(value.map { "'\($0)'" } ?? "NULL") in column \(column)"
        case .invalidArgument(let message):
            return message
        }
    }
}

/// Exit codes of the report commands: stable, documented in every report's `--help`.
public enum ReportExitCode {
    public static let ok: Int32 = 0
    /// Something else failed (a query the server refused); the message says what.
    public static let failure: Int32 = 1
    /// A bad command line (unknown option, unparsable time, `--watch` with `--json`).
    public static let usage: Int32 = 2
    /// The coordinator could not be reached or refused the login.
    public static let coordinatorUnreachable: Int32 = 3
    /// The range holds no data (for the site, when one is given).
    public static let noData: Int32 = 4
    /// The coordinator lacks the schema migration the report reads; run `edgelog db init`.
    public static let schemaTooOld: Int32 = 5

    /// The text for `--help`.
    public static let helpText = """
        Exit codes: 0 ok; 1 a query failed; 2 usage error; 3 coordinator unreachable (or login \
        refused); 4 no data in the range; 5 coordinator schema too old (run `edgelog db init`).
        """
}
