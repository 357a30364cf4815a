import AnalystReports
import ArgumentParser

/// The analysts' report commands: thin wrappers that parse options and hand them to
/// `ReportRunner` with the `AnalystReports` call that builds the report.
enum ReportHelp {
    static let common = """
        Reads the coordinator database (as the read-only role edgelog_analyst; --coordinator or \
        $EDGELOG_COORDINATOR). The range is [--since, --until) or --last (default: the last hour); \
        a minute belongs to it when the minute's start does. Text output is aligned tables with \
        sparklines (one bar per step; the step widens with the range so a line holds at most 60 \
        bars). --json prints one object: "report", "range" {"since","until","site"}, "rows" and the \
        report's other keys, listed above; numbers are JSON numbers, a ratio with no denominator is null. \
        --watch redraws the tables every --interval seconds until Ctrl-C (text only: with --json it \
        is refused; run the command repeatedly instead).
        """
    static func discussion(_ specific: String) -> String {
        specific + "\n\n" + common + "\n\n" + ReportExitCode.helpText
    }
}

struct TopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "top",
        abstract: "Sites ranked by requests, bandwidth or errors over a range.",
        discussion: ReportHelp.discussion("""
            Per site: requests, bandwidth (body bytes sent), 4xx, 5xx and error rate ((4xx+5xx)/requests), \
            with each site's requests over time; then the totals over every site (or the --site). \
            JSON: rows[] {site, requests, bodyBytes, requestBytes, status4xx, status5xx, errorRate, \
            requestsSeries[]}, totals {sites, requests, bodyBytes, requestBytes, status4xx, status5xx, \
            errorRate}, orderBy, stepSeconds.
            """))

    @OptionGroup var options: ReportOptions
    @OptionGroup var limit: LimitOption

    @Option(help: ArgumentHelp("Rank by requests, bytes (bandwidth) or errors (4xx + 5xx).", valueName: "order"))
    var by: TopReport.Order = .requests

    func run() async throws {
        let (order, limit) = (by, limit.limit)
        try await ReportRunner.run("top", options: options) { session, scope in
            try TopReport.run(session: session, scope: scope, orderBy: order, limit: limit)
        }
    }
}

extension TopReport.Order: ExpressibleByArgument {}

struct CacheCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache",
        abstract: "Cache hit ratio over time, for a site (--site) or the whole fleet.",
        discussion: ReportHelp.discussion("""
            Hit ratio = HIT / requests that went through a cache (HIT, MISS, EXPIRED, STALE, UPDATING, \
            REVALIDATED, BYPASS); requests without $upstream_cache_status are not misses. Shows the \
            ratio over time, the counts per cache status and, for the fleet, the sites with the most \
            cache lookups. JSON: rows[] {start, counts}, totals (counts), sites[] {site, counts}, \
            stepSeconds; counts = {requests, hit, miss, expired, stale, updating, revalidated, bypass, \
            none, hitRatio}.
            """))

    @OptionGroup var options: ReportOptions
    @OptionGroup var limit: LimitOption

    func run() async throws {
        let limit = limit.limit
        try await ReportRunner.run("cache", options: options) { session, scope in
            try CacheReport.run(session: session, scope: scope, limit: limit)
        }
    }
}

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Status classes, error rates and request-time percentiles (p50/p95/p99) per site.",
        discussion: ReportHelp.discussion("""
            Per site (the busiest --limit): requests per status class, 4xx and 5xx rates, mean request \
            time and p50/p95/p99 from the coordinator's latency_percentiles() (estimates from the \
            latency histogram). Above the table, requests and error rates over time and the \
            percentiles over every request, for the fleet (or the --site). JSON: rows[] {site, counts, \
            meanMs, p50Ms, p95Ms, p99Ms}, totals (counts), latency {requests, p50Ms, p95Ms, p99Ms}, \
            series[] {start, counts}, stepSeconds; counts = {requests, status1xx \
            .. status5xx, statusOther, clientErrorRate, serverErrorRate}.
            """))

    @OptionGroup var options: ReportOptions
    @OptionGroup var limit: LimitOption

    func run() async throws {
        let limit = limit.limit
        try await ReportRunner.run("status", options: options) { session, scope in
            try StatusReport.run(session: session, scope: scope, limit: limit)
        }
    }
}

struct UniquesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "uniques",
        abstract: "Distinct client IPs per site and in total (estimated from the hll sketches).",
        discussion: ReportHelp.discussion("""
            Unions of the per-minute hll sketches (never sums): an IP seen in many minutes or on many \
            sites counts once in a total. Exact up to 160 distinct IPs, about 2 % error above. JSON: \
            rows[] {site, uniqueIps, requests}, totals {sites, uniqueIps, requests}, series[] {start, \
            uniqueIps} (distinct within each point), stepSeconds.
            """))

    @OptionGroup var options: ReportOptions
    @OptionGroup var limit: LimitOption

    func run() async throws {
        let limit = limit.limit
        try await ReportRunner.run("uniques", options: options) { session, scope in
            try UniquesReport.run(session: session, scope: scope, limit: limit)
        }
    }
}

struct AttacksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attacks",
        abstract: "Attacks by class, site and source IP, with sampled requests.",
        discussion: ReportHelp.discussion("""
            Requests the consumer's detector classified as sqli, xss, traversal or scanner: per class \
            (exact, with a sparkline), per site (--limit), per source IP (a lower bound from the \
            top-talker sketches) and the latest sampled requests (--samples). Log-derived text is \
            printed with control characters escaped. JSON: rows[] {attackClass, requests, series[]}, \
            requests (all requests in the range), sites[] {site, requests, attacks {class: n}, total}, \
            sources[] {clientIp, sites, attacks, total}, samples[] {time, site, attackClass, clientIp, \
            request, userAgent}, stepSeconds.
            """))

    @OptionGroup var options: ReportOptions
    @OptionGroup var limit: LimitOption

    @Option(help: ArgumentHelp("How many sampled requests to show (latest first).", valueName: "n"))
    var samples: Int = 10

    func validate() throws {
        if samples < 0 || samples > 10_000 { throw ValidationError("--samples must be between 0 and 10000") }
    }

    func run() async throws {
        let (limit, samples) = (limit.limit, samples)
        try await ReportRunner.run("attacks", options: options) { session, scope in
            try AttacksReport.run(session: session, scope: scope, limit: limit, samples: samples)
        }
    }
}

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Shipped vs counted vs lost lines per edge and file, and every loss by cause.",
        discussion: ReportHelp.discussion("""
            Per (edge, file), lifetime totals of the files the consumer updated since the range's \
            start: shipped lines (the shipper's control records), counted lines, folded into (other) \
            by the site cap, lost lines (in batches the broker refused) and lost bytes (never read), \
            by cause as the shipper's edgelog_shipper_lost_bytes_total{cause} counts them: deleted \
            unread (deleted_unread: the file was deleted, or held past the deleted-file grace, before \
            it was read to its end), content replaced (content_replaced: copytruncate overwrote \
            unread bytes), unfinished last line (unfinished_line: a rotated file ended without a \
            newline). Loss reported by shippers older than the split counts as deleted unread. \
            Sequence gaps and obsolete checkpoints are only in the shipper's \
            edgelog_shipper_losses_total{cause}. Per \
            site within the range: truncated (over-long, cut), rejected late (beyond the lateness \
            bound), unparsed. Per partition: records the consumer rejected, by cause. --site narrows \
            only the per-site counters. uncountedLines = shipped - counted: 0 once the stream is consumed, \
            negative while a file's checkpoint group is open (the shipper reports shipped lines per \
            group: every --batch-bytes of file and at the file's end). JSON: rows[] {edge, sourceFile, shippedLines, countedLines, \
            foldedLines, lostLines, lostBytes, lostBytesDeletedUnread, lostBytesReplaced, \
            lostBytesUnfinished, uncountedLines, updatedAt}, sites[] {site, truncated, \
            rejectedLate, unparsed}, rejected[] {topic, partition, cause, records, firstOffset, \
            lastOffset}, totals {shippedLines, countedLines, foldedLines, lostLines, lostBytes \
            (all causes), lostBytesDeletedUnread, lostBytesReplaced, lostBytesUnfinished, \
            truncated, rejectedLate, unparsed, rejectedRecords {cause: n}}.
            """))

    @OptionGroup var options: ReportOptions

    func run() async throws {
        try await ReportRunner.run("audit", options: options) { session, scope in
            try AuditReport.run(session: session, scope: scope)
        }
    }
}
