import Foundation

/// `edgelog status`: responses per status class, error rates and request-time percentiles per
/// site, and the fleet's (or the site's) error rates over time.
///
/// Percentiles per site come from the coordinator's `latency_percentiles(from, until, site)`
/// (schema migration 2, refined by 3): estimates from the summed latency histogram; the fleet's
/// (`latency`) from the same histogram summed over every site, read by the same functions.
/// They cover parsed requests within the lateness bound.
public struct StatusReport: Codable, Sendable, Hashable {
    public struct Counts: Codable, Sendable, Hashable {
        public var requests: Int64
        public var status1xx: Int64
        public var status2xx: Int64
        public var status3xx: Int64
        public var status4xx: Int64
        public var status5xx: Int64
        /// Status outside 100...599 (0 when nginx logged none).
        public var statusOther: Int64
        /// 4xx / requests.
        @Nullable public var clientErrorRate: Double?
        /// 5xx / requests.
        @Nullable public var serverErrorRate: Double?
    }

    public struct SiteRow: Codable, Sendable, Hashable {
        public var site: String
        public var counts: Counts
        /// Mean request time over the requests whose format logs `$request_time`:
        /// `request_time_us_sum` / the latency histogram's total; null when none does.
        @Nullable public var meanMs: Double?
        @Nullable public var p50Ms: Double?
        @Nullable public var p95Ms: Double?
        @Nullable public var p99Ms: Double?
    }

    public struct Point: Codable, Sendable, Hashable {
        public var start: String
        public var counts: Counts
    }

    /// Request-time percentiles over every request of the range (the fleet's, or the site's).
    public struct Latency: Codable, Sendable, Hashable {
        /// Requests the histogram holds (parsed, within the lateness bound).
        public var requests: Int64
        @Nullable public var p50Ms: Double?
        @Nullable public var p95Ms: Double?
        @Nullable public var p99Ms: Double?
    }

    public static let schemaVersion = 2
    public var report = "status"
    public var range: ReportHeader
    public var stepSeconds: Int64
    /// The sites with the most requests (the one `--site` when given).
    public var rows: [SiteRow]
    public var totals: Counts
    /// Counts per series point (fleet, or the site).
    public var series: [Point]
    /// Percentiles over the whole fleet (or the site): one histogram summed over every site.
    public var latency: Latency

    static let columns = """
        coalesce(sum(requests), 0), coalesce(sum(status_1xx), 0), coalesce(sum(status_2xx), 0),
        coalesce(sum(status_3xx), 0), coalesce(sum(status_4xx), 0), coalesce(sum(status_5xx), 0),
        coalesce(sum(status_other), 0)
        """
    static let filter = CacheReport.filter
    static let totalsSQL = "SELECT count(*), \(columns) FROM public.minute_site \(filter)"
    static let seriesSQL =
        "SELECT \(SeriesBins.binExpression(stepParameter: 4)) AS point, \(columns) FROM public.minute_site \(filter) GROUP BY 1"
    static let sitesSQL = """
        WITH per_site AS (
            SELECT site, \(columns), coalesce(sum(request_time_us_sum), 0) AS time_us,
                   coalesce(sum(\(LatencyHistogramColumns.coarse.joined(separator: " + "))), 0) AS timed
            FROM public.minute_site \(filter)
            GROUP BY site
            ORDER BY 2 DESC, site
            LIMIT $4::int
        )
        SELECT s.*, p.p50_ms, p.p95_ms, p.p99_ms
        FROM per_site AS s
        LEFT JOIN public.latency_percentiles($1::timestamptz, $2::timestamptz, $3::text) AS p ON p.site = s.site
        ORDER BY 2 DESC, 1
        """

    /// The fleet's percentiles, read the way `latency_percentiles` reads one site's: the fine
    /// histogram (`edgelog.latency_quantile`) when every request of the range has fine counts,
    /// else the coarse one (rows written before migration 3). Sums per shard first, so each
    /// shard sums its own rows.
    static let latencySQL: String = {
        let columns = Array(Set(LatencyHistogramColumns.coarse + LatencyHistogramColumns.fine)).sorted()
        let inner = columns.map { "sum(\($0)) AS \($0)" }.joined(separator: ", ")
        let coarse = "ARRAY[" + LatencyHistogramColumns.coarse.map { "sum(p.\($0))" }.joined(separator: ", ") + "]::bigint[]"
        let fine = "ARRAY[" + LatencyHistogramColumns.fine.map { "sum(p.\($0))" }.joined(separator: ", ") + "]::bigint[]"
        return """
            SELECT h.requests,
                   CASE WHEN h.fine_requests = h.requests THEN edgelog.latency_quantile(h.fine, 0.50)
                        ELSE edgelog.histogram_quantile(h.coarse, 0.50) END / 1000.0,
                   CASE WHEN h.fine_requests = h.requests THEN edgelog.latency_quantile(h.fine, 0.95)
                        ELSE edgelog.histogram_quantile(h.coarse, 0.95) END / 1000.0,
                   CASE WHEN h.fine_requests = h.requests THEN edgelog.latency_quantile(h.fine, 0.99)
                        ELSE edgelog.histogram_quantile(h.coarse, 0.99) END / 1000.0
            FROM (
                SELECT c.coarse, c.fine,
                       (SELECT coalesce(sum(n), 0)::bigint FROM unnest(c.coarse) AS n) AS requests,
                       (SELECT coalesce(sum(n), 0)::bigint FROM unnest(c.fine) AS n) AS fine_requests
                FROM (
                    SELECT \(coarse) AS coarse, \(fine) AS fine
                    FROM (
                        SELECT shard_id, \(inner)
                        FROM edgelog.site_minute \(filter)
                        GROUP BY shard_id
                    ) AS p
                ) AS c
            ) AS h
            """
    }()

    static func counts(_ row: ResultRow, from first: Int) throws -> Counts {
        let requests = try row.int(first)
        return Counts(
            requests: requests, status1xx: try row.int(first + 1), status2xx: try row.int(first + 2),
            status3xx: try row.int(first + 3), status4xx: try row.int(first + 4), status5xx: try row.int(first + 5),
            statusOther: try row.int(first + 6), clientErrorRate: ratio(try row.int(first + 4), requests),
            serverErrorRate: ratio(try row.int(first + 5), requests))
    }

    static let zero = Counts(
        requests: 0, status1xx: 0, status2xx: 0, status3xx: 0, status4xx: 0, status5xx: 0, statusOther: 0,
        clientErrorRate: nil, serverErrorRate: nil)

    public static func run(session: CoordinatorSession, scope: ReportScope, limit: Int) throws -> StatusReport {
        let name = "status"
        try session.requireSchema(version: schemaVersion, report: name)
        let parameters = scope.parameters
        guard let total = try session.rows(totalsSQL, parameters, report: name).first, try total.int(0) > 0 else {
            throw ReportError.noData(report: name, range: scope.range, site: scope.site)
        }
        let bins = SeriesBins(scope: scope)
        var series = (0..<bins.count).map { Point(start: ReportRange.format(bins.start(ofPoint: $0)), counts: zero) }
        for row in try session.rows(seriesSQL, parameters + [String(bins.step.seconds)], report: name) {
            guard let point = bins.index(try row.int(0)) else { continue }
            series[point].counts = try counts(row, from: 1)
        }
        let rows = try session.rows(sitesSQL, parameters + [String(limit)], report: name).map { row in
            let counts = try counts(row, from: 1)
            let timeUs = try row.int(8)
            // Requests with a measured time (the histogram's total): a format without
            // $request_time logs none, and such requests have no mean to dilute.
            let timed = try row.int(9)
            return SiteRow(
                site: try row.text(0), counts: counts,
                meanMs: timed == 0 ? nil : Double(timeUs) / Double(timed) / 1000,
                p50Ms: try row.double(10), p95Ms: try row.double(11), p99Ms: try row.double(12))
        }
        var latency = Latency(requests: 0, p50Ms: nil, p95Ms: nil, p99Ms: nil)
        if let row = try session.rows(latencySQL, parameters, report: name).first {
            latency = Latency(requests: try row.int(0), p50Ms: try row.double(1), p95Ms: try row.double(2), p99Ms: try row.double(3))
        }
        return StatusReport(
            range: scope.header, stepSeconds: bins.step.seconds, rows: rows, totals: try counts(total, from: 1),
            series: series, latency: latency)
    }
}
