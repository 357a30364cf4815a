import Foundation

/// `edgelog top`: the sites with the most requests, bandwidth or errors over a range, with the
/// fleet's totals and each listed site's requests over time.
///
/// Read from `minute_site` (schema migration 1). "Errors" are 4xx plus 5xx responses; the
/// error rate is errors / requests (null without requests).
public struct TopReport: Codable, Sendable, Hashable {
    /// What the sites are ranked by.
    public enum Order: String, Codable, Sendable, CaseIterable {
        case requests, bytes, errors

        /// The ORDER BY of the ranking query (fixed SQL per case, never user text).
        var sql: String {
            switch self {
            case .requests: "requests DESC, site"
            case .bytes: "body_bytes DESC, site"
            case .errors: "sum(status_4xx) + sum(status_5xx) DESC, site"
            }
        }
    }

    public struct Row: Codable, Sendable, Hashable {
        public var site: String
        public var requests: Int64
        /// `$body_bytes_sent` summed: the bandwidth served.
        public var bodyBytes: Int64
        public var requestBytes: Int64
        public var status4xx: Int64
        public var status5xx: Int64
        @Nullable public var errorRate: Double?
        /// Requests per series point (`stepSeconds` wide, from `range.since`).
        public var requestsSeries: [Int64]
    }

    public struct Totals: Codable, Sendable, Hashable {
        public var sites: Int64
        public var requests: Int64
        public var bodyBytes: Int64
        public var requestBytes: Int64
        public var status4xx: Int64
        public var status5xx: Int64
        @Nullable public var errorRate: Double?
    }

    public static let schemaVersion = 1
    public var report = "top"
    public var range: ReportHeader
    public var orderBy: Order
    public var stepSeconds: Int64
    public var rows: [Row]
    /// Over every site in the range (or the one `--site`), not only the listed ones.
    public var totals: Totals

    static let totalsSQL = """
        SELECT count(*), count(DISTINCT site), coalesce(sum(requests), 0), coalesce(sum(body_bytes), 0),
               coalesce(sum(request_bytes), 0), coalesce(sum(status_4xx), 0), coalesce(sum(status_5xx), 0)
        FROM public.minute_site
        WHERE bucket >= $1::timestamptz AND bucket < $2::timestamptz AND ($3::text IS NULL OR site = $3)
        """

    static func rankingSQL(_ order: Order) -> String {
        """
        SELECT site, sum(requests)::bigint AS requests, sum(body_bytes)::bigint AS body_bytes,
               sum(request_bytes)::bigint AS request_bytes, sum(status_4xx)::bigint AS status_4xx,
               sum(status_5xx)::bigint AS status_5xx
        FROM public.minute_site
        WHERE bucket >= $1::timestamptz AND bucket < $2::timestamptz AND ($3::text IS NULL OR site = $3)
        GROUP BY site
        ORDER BY \(order.sql)
        LIMIT $4::int
        """
    }

    static func seriesSQL(_ order: Order) -> String {
        """
        WITH ranked AS (\(rankingSQL(order)))
        SELECT site, \(SeriesBins.binExpression(stepParameter: 5)) AS point, sum(requests)::bigint
        FROM public.minute_site
        WHERE bucket >= $1::timestamptz AND bucket < $2::timestamptz AND ($3::text IS NULL OR site = $3)
          AND site IN (SELECT site FROM ranked)
        GROUP BY 1, 2
        """
    }

    /// Runs the report. - Throws: `ReportError` (`.noData` when the range has no rows).
    public static func run(session: CoordinatorSession, scope: ReportScope, orderBy: Order, limit: Int) throws -> TopReport {
        let name = "top"
        try session.requireSchema(version: schemaVersion, report: name)
        let parameters = scope.parameters
        guard let total = try session.rows(totalsSQL, parameters, report: name).first, try total.int(0) > 0 else {
            throw ReportError.noData(report: name, range: scope.range, site: scope.site)
        }
        let totals = Totals(
            sites: try total.int(1), requests: try total.int(2), bodyBytes: try total.int(3),
            requestBytes: try total.int(4), status4xx: try total.int(5), status5xx: try total.int(6),
            errorRate: ratio(try total.int(5) + total.int(6), try total.int(2)))
        let bins = SeriesBins(scope: scope)
        var series: [String: [Int64]] = [:]
        for row in try session.rows(seriesSQL(orderBy), parameters + [String(limit), String(bins.step.seconds)], report: name) {
            guard let point = bins.index(try row.int(1)) else { continue }
            let site = try row.text(0)
            var values = series[site] ?? Array(repeating: 0, count: bins.count)
            values[point] += try row.int(2)
            series[site] = values
        }
        let rows = try session.rows(rankingSQL(orderBy), parameters + [String(limit)], report: name).map { row in
            let site = try row.text(0)
            let requests = try row.int(1)
            let errors = try row.int(4) + row.int(5)
            return Row(
                site: site, requests: requests, bodyBytes: try row.int(2), requestBytes: try row.int(3),
                status4xx: try row.int(4), status5xx: try row.int(5), errorRate: ratio(errors, requests),
                requestsSeries: series[site] ?? Array(repeating: 0, count: bins.count))
        }
        return TopReport(range: scope.header, orderBy: orderBy, stepSeconds: bins.step.seconds, rows: rows, totals: totals)
    }
}
