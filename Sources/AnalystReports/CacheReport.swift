import Foundation

/// `edgelog cache`: the cache hit ratio over time for one site or the whole fleet, the counts
/// per cache status, and (for the fleet) the busiest sites' ratios.
///
/// Hit ratio = HIT / requests whose `$upstream_cache_status` was set (HIT, MISS, EXPIRED,
/// STALE, UPDATING, REVALIDATED, BYPASS): a request that never reached a cache is not a miss
/// (DESIGN §6), so it is null for a point or site without cache lookups. From `minute_site`
/// (schema migration 1).
public struct CacheReport: Codable, Sendable, Hashable {
    public struct Counts: Codable, Sendable, Hashable {
        public var requests: Int64
        public var hit: Int64
        public var miss: Int64
        public var expired: Int64
        public var stale: Int64
        public var updating: Int64
        public var revalidated: Int64
        public var bypass: Int64
        /// Requests without a cache status (not counted in the ratio).
        public var none: Int64
        @Nullable public var hitRatio: Double?

        /// Requests that went through a cache: the ratio's denominator.
        public var cacheable: Int64 { hit + miss + expired + stale + updating + revalidated + bypass }
    }

    /// One series point: its start and the counts of its minutes.
    public struct Point: Codable, Sendable, Hashable {
        public var start: String
        public var counts: Counts
    }

    public struct SiteRow: Codable, Sendable, Hashable {
        public var site: String
        public var counts: Counts
    }

    public static let schemaVersion = 1
    public var report = "cache"
    public var range: ReportHeader
    public var stepSeconds: Int64
    /// The series, one point per step from `range.since` (points without rows have zeros).
    public var rows: [Point]
    public var totals: Counts
    /// The sites with the most cache lookups and their counts (empty with `--site`).
    public var sites: [SiteRow]

    static let columns = """
        count(*), coalesce(sum(requests), 0), coalesce(sum(cache_hit), 0), coalesce(sum(cache_miss), 0),
        coalesce(sum(cache_expired), 0), coalesce(sum(cache_stale), 0), coalesce(sum(cache_updating), 0),
        coalesce(sum(cache_revalidated), 0), coalesce(sum(cache_bypass), 0), coalesce(sum(cache_none), 0)
        """
    static let filter = """
        WHERE bucket >= $1::timestamptz AND bucket < $2::timestamptz AND ($3::text IS NULL OR site = $3)
        """
    static let totalsSQL = "SELECT \(columns) FROM public.minute_site \(filter)"
    static let seriesSQL =
        "SELECT \(SeriesBins.binExpression(stepParameter: 4)) AS point, \(columns) FROM public.minute_site \(filter) GROUP BY 1"
    static let sitesSQL = """
        SELECT site, \(columns) FROM public.minute_site \(filter)
        GROUP BY site
        ORDER BY sum(cache_hit + cache_miss + cache_expired + cache_stale + cache_updating + cache_revalidated + cache_bypass) DESC, site
        LIMIT $4::int
        """

    /// Counts from columns `first` ... `first + 8` of a row laid out as `columns` (after its count(*)).
    static func counts(_ row: ResultRow, from first: Int) throws -> Counts {
        var counts = Counts(
            requests: try row.int(first), hit: try row.int(first + 1), miss: try row.int(first + 2),
            expired: try row.int(first + 3), stale: try row.int(first + 4), updating: try row.int(first + 5),
            revalidated: try row.int(first + 6), bypass: try row.int(first + 7), none: try row.int(first + 8),
            hitRatio: nil)
        counts.hitRatio = ratio(counts.hit, counts.cacheable)
        return counts
    }

    static let zero = Counts(
        requests: 0, hit: 0, miss: 0, expired: 0, stale: 0, updating: 0, revalidated: 0, bypass: 0, none: 0, hitRatio: nil)

    public static func run(session: CoordinatorSession, scope: ReportScope, limit: Int) throws -> CacheReport {
        let name = "cache"
        try session.requireSchema(version: schemaVersion, report: name)
        let parameters = scope.parameters
        guard let total = try session.rows(totalsSQL, parameters, report: name).first, try total.int(0) > 0 else {
            throw ReportError.noData(report: name, range: scope.range, site: scope.site)
        }
        let bins = SeriesBins(scope: scope)
        var points = (0..<bins.count).map { Point(start: ReportRange.format(bins.start(ofPoint: $0)), counts: zero) }
        for row in try session.rows(seriesSQL, parameters + [String(bins.step.seconds)], report: name) {
            guard let point = bins.index(try row.int(0)) else { continue }
            points[point].counts = try counts(row, from: 2)
        }
        var sites: [SiteRow] = []
        if scope.site == nil {
            sites = try session.rows(sitesSQL, parameters + [String(limit)], report: name).map {
                SiteRow(site: try $0.text(0), counts: try counts($0, from: 2))
            }
        }
        return CacheReport(
            range: scope.header, stepSeconds: bins.step.seconds, rows: points, totals: try counts(total, from: 1),
            sites: sites)
    }
}
