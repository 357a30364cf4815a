import Foundation

/// `edgelog uniques`: distinct client IPs per site and for the fleet over a range, and over
/// time.
///
/// Estimates from the `hll` sketches in `minute_site.unique_ips_hll` (schema migration 2):
/// unions (`hll_union_agg`), never sums, so an IP seen in many minutes or on many sites counts
/// once in a total. Exact up to 160 distinct IPs per value, a ~2 % standard error above.
/// Requests folded into `(other)` by the site cap have their IPs there.
public struct UniquesReport: Codable, Sendable, Hashable {
    public struct SiteRow: Codable, Sendable, Hashable {
        public var site: String
        public var uniqueIps: Int64
        public var requests: Int64
    }

    public struct Point: Codable, Sendable, Hashable {
        public var start: String
        /// Distinct IPs within the point (not additive across points).
        public var uniqueIps: Int64
    }

    public struct Totals: Codable, Sendable, Hashable {
        public var sites: Int64
        /// Distinct IPs over the whole range and every site (or the one site).
        public var uniqueIps: Int64
        public var requests: Int64
    }

    public static let schemaVersion = 2
    public var report = "uniques"
    public var range: ReportHeader
    public var stepSeconds: Int64
    /// The sites with the most distinct IPs.
    public var rows: [SiteRow]
    public var totals: Totals
    public var series: [Point]

    static let cardinality = "coalesce(round(hll_cardinality(hll_union_agg(unique_ips_hll))), 0)::bigint"
    static let filter = CacheReport.filter
    static let totalsSQL =
        "SELECT count(*), count(DISTINCT site), \(cardinality), coalesce(sum(requests), 0) FROM public.minute_site \(filter)"
    static let seriesSQL =
        "SELECT \(SeriesBins.binExpression(stepParameter: 4)) AS point, \(cardinality) FROM public.minute_site \(filter) GROUP BY 1"
    static let sitesSQL = """
        SELECT site, \(cardinality) AS unique_ips, coalesce(sum(requests), 0)
        FROM public.minute_site \(filter)
        GROUP BY site
        ORDER BY 2 DESC, site
        LIMIT $4::int
        """

    public static func run(session: CoordinatorSession, scope: ReportScope, limit: Int) throws -> UniquesReport {
        let name = "uniques"
        try session.requireSchema(version: schemaVersion, report: name)
        let parameters = scope.parameters
        guard let total = try session.rows(totalsSQL, parameters, report: name).first, try total.int(0) > 0 else {
            throw ReportError.noData(report: name, range: scope.range, site: scope.site)
        }
        let bins = SeriesBins(scope: scope)
        var series = (0..<bins.count).map { Point(start: ReportRange.format(bins.start(ofPoint: $0)), uniqueIps: 0) }
        for row in try session.rows(seriesSQL, parameters + [String(bins.step.seconds)], report: name) {
            guard let point = bins.index(try row.int(0)) else { continue }
            series[point].uniqueIps = try row.int(1)
        }
        let rows = try session.rows(sitesSQL, parameters + [String(limit)], report: name).map {
            SiteRow(site: try $0.text(0), uniqueIps: try $0.int(1), requests: try $0.int(2))
        }
        return UniquesReport(
            range: scope.header, stepSeconds: bins.step.seconds, rows: rows,
            totals: Totals(sites: try total.int(1), uniqueIps: try total.int(2), requests: try total.int(3)),
            series: series)
    }
}
