import AnalystReports
import ArgumentParser
import Foundation

/// The options every report takes: where the coordinator is, the range, the site, the output
/// form and the live mode. Parsing and checking only; `ReportRunner` acts on them.
struct ReportOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Coordinator connection string, libpq key=value or URL (default: $EDGELOG_COORDINATOR). Connect as edgelog_analyst.",
            valueName: "conninfo"))
    var coordinator: String?

    @Option(
        help: ArgumentHelp(
            "Start of the range, ISO-8601 with a zone (2026-12-07T10:00:00Z) or a date (UTC midnight).", valueName: "time"))
    var since: String?

    @Option(help: ArgumentHelp("End of the range, exclusive (default: now).", valueName: "time"))
    var until: String?

    @Option(
        help: ArgumentHelp(
            "The range as the last N seconds/minutes/hours/days: 90s, 15m, 6h, 7d (default: 1h).", valueName: "duration"))
    var last: String?

    @Option(help: ArgumentHelp("Only this site ($host as logged, exact).", valueName: "site"))
    var site: String?

    @Flag(help: "Print one JSON object (the range, the rows; numbers as numbers) instead of tables.")
    var json = false

    @Flag(help: "Redraw the report every --interval seconds until interrupted (Ctrl-C); text only, refused with --json.")
    var watch = false

    @Option(help: ArgumentHelp("Seconds between redraws with --watch.", valueName: "seconds"))
    var interval: Int = 5

    func validate() throws {
        if last != nil && (since != nil || until != nil) {
            throw ValidationError("give either --last or --since/--until, not both")
        }
        if let last, ReportDuration(last) == nil {
            throw ValidationError("--last \(last): expected a positive number and a unit s, m, h or d (e.g. 15m)")
        }
        for (name, value) in [("--since", since), ("--until", until)] {
            if let value, ReportRange.parseTime(value) == nil {
                throw ValidationError(
                    "\(name) \(value): expected an ISO-8601 time with a zone (2026-12-07T10:00:00Z, "
                        + "2026-12-07T11:00:00+01:00) or a date (2026-12-07)")
            }
        }
        if let since = since.flatMap(ReportRange.parseTime), let until = until.flatMap(ReportRange.parseTime), since >= until {
            throw ValidationError("--since must be before --until")
        }
        if watch && json {
            throw ValidationError("--watch redraws tables for a terminal; for JSON run the command repeatedly (e.g. from watch(1) or cron)")
        }
        if interval < 1 { throw ValidationError("--interval must be at least 1 second") }
    }

    /// The range as asked for; resolved against the clock at each (re)draw.
    var rangeRequest: ReportRange.Request {
        if let last, let duration = ReportDuration(last) { return .last(duration) }
        if since == nil && until == nil, let hour = ReportDuration("1h") { return .last(hour) }
        return .between(since: since.flatMap(ReportRange.parseTime), until: until.flatMap(ReportRange.parseTime))
    }

    /// `--coordinator`, else `$EDGELOG_COORDINATOR`.
    func coordinatorConninfo() throws -> String {
        if let coordinator, !coordinator.isEmpty { return coordinator }
        if let value = ProcessInfo.processInfo.environment["EDGELOG_COORDINATOR"], !value.isEmpty { return value }
        throw ValidationError("no coordinator: pass --coordinator CONNINFO or set EDGELOG_COORDINATOR")
    }
}

/// `--limit` for reports that list sites or sources.
struct LimitOption: ParsableArguments {
    @Option(help: ArgumentHelp("How many sites (or sources) to list.", valueName: "n"))
    var limit: Int = 10

    func validate() throws {
        if limit < 1 || limit > 100_000 { throw ValidationError("--limit must be between 1 and 100000") }
    }
}
