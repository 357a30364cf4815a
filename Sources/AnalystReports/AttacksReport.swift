import Foundation

/// `edgelog attacks`: requests the consumer's detector classified (SQL injection, XSS, path
/// traversal, scanner user agents) over a range: per class with a series, per site, per
/// source IP, and the latest sampled requests.
///
/// Class counts come from `minute_site.attacks_*` (exact; a request in two classes counts in
/// both). Per-source counts come from the top-talker sketches (`minute_top_ip`): a lower bound,
/// counted while the sketch watched the IP. Samples are `minute_attack_sample` rows (the first
/// few per minute, site and class). Schema migration 4.
public struct AttacksReport: Codable, Sendable, Hashable {
    /// The classes in column order: the JSON keys and the SQL column suffixes.
    public static let classes = ["sqli", "xss", "traversal", "scanner"]

    public struct ClassRow: Codable, Sendable, Hashable {
        public var attackClass: String
        public var requests: Int64
        /// Requests of the class per series point.
        public var series: [Int64]
    }

    public struct SiteRow: Codable, Sendable, Hashable {
        public var site: String
        public var requests: Int64
        /// Per class, keyed by class name (every class present).
        public var attacks: [String: Int64]
        public var total: Int64
    }

    public struct SourceRow: Codable, Sendable, Hashable {
        public var clientIp: String
        /// Sites the IP attacked in the range.
        public var sites: Int64
        public var attacks: [String: Int64]
        public var total: Int64
    }

    public struct Sample: Codable, Sendable, Hashable {
        public var time: String
        public var site: String
        public var attackClass: String
        @Nullable public var clientIp: String?
        public var request: String
        public var userAgent: String
    }

    public static let schemaVersion = 4
    public var report = "attacks"
    public var range: ReportHeader
    public var stepSeconds: Int64
    /// One row per class, in `classes` order.
    public var rows: [ClassRow]
    /// Requests in the range (every request, for the attack share).
    public var requests: Int64
    public var sites: [SiteRow]
    public var sources: [SourceRow]
    public var samples: [Sample]

    static let filter = CacheReport.filter
    static let sums = classes.map { "coalesce(sum(attacks_\($0)), 0)" }.joined(separator: ", ")
    static let totalSum = classes.map { "attacks_\($0)" }.joined(separator: " + ")
    static let totalsSQL = "SELECT count(*), coalesce(sum(requests), 0), \(sums) FROM public.minute_site \(filter)"
    static let seriesSQL =
        "SELECT \(SeriesBins.binExpression(stepParameter: 4)) AS point, \(sums) FROM public.minute_site \(filter) GROUP BY 1"
    static let sitesSQL = """
        SELECT site, coalesce(sum(requests), 0), \(sums)
        FROM public.minute_site \(filter)
        GROUP BY site
        HAVING sum(\(totalSum)) > 0
        ORDER BY sum(\(totalSum)) DESC, site
        LIMIT $4::int
        """
    static let sourcesSQL = """
        SELECT host(client_ip), count(DISTINCT site), \(sums)
        FROM public.minute_top_ip \(filter)
        GROUP BY client_ip
        HAVING sum(\(totalSum)) > 0
        ORDER BY sum(\(totalSum)) DESC, client_ip
        LIMIT $4::int
        """
    static let samplesSQL = """
        SELECT extract(epoch FROM time), site, class, host(client_ip), request, user_agent
        FROM public.minute_attack_sample \(filter)
        ORDER BY time DESC, site, class, request
        LIMIT $4::int
        """

    static func perClass(_ row: ResultRow, from first: Int) throws -> [String: Int64] {
        var attacks: [String: Int64] = [:]
        for (index, name) in classes.enumerated() { attacks[name] = try row.int(first + index) }
        return attacks
    }

    public static func run(session: CoordinatorSession, scope: ReportScope, limit: Int, samples sampleLimit: Int) throws
        -> AttacksReport
    {
        let name = "attacks"
        try session.requireSchema(version: schemaVersion, report: name)
        let parameters = scope.parameters
        guard let total = try session.rows(totalsSQL, parameters, report: name).first, try total.int(0) > 0 else {
            throw ReportError.noData(report: name, range: scope.range, site: scope.site)
        }
        let bins = SeriesBins(scope: scope)
        var rows = try classes.enumerated().map { index, name in
            ClassRow(attackClass: name, requests: try total.int(2 + index), series: Array(repeating: 0, count: bins.count))
        }
        for row in try session.rows(seriesSQL, parameters + [String(bins.step.seconds)], report: name) {
            guard let point = bins.index(try row.int(0)) else { continue }
            for index in classes.indices { rows[index].series[point] = try row.int(1 + index) }
        }
        let sites = try session.rows(sitesSQL, parameters + [String(limit)], report: name).map { row in
            let attacks = try perClass(row, from: 2)
            return SiteRow(site: try row.text(0), requests: try row.int(1), attacks: attacks, total: attacks.values.reduce(0, +))
        }
        let sources = try session.rows(sourcesSQL, parameters + [String(limit)], report: name).map { row in
            let attacks = try perClass(row, from: 2)
            return SourceRow(clientIp: try row.text(0), sites: try row.int(1), attacks: attacks, total: attacks.values.reduce(0, +))
        }
        let samples = try session.rows(samplesSQL, parameters + [String(sampleLimit)], report: name).map { row in
            Sample(
                time: ReportRange.format(try row.epoch(0)), site: try row.text(1), attackClass: try row.text(2),
                clientIp: row.optionalText(3), request: try row.text(4), userAgent: try row.text(5))
        }
        return AttacksReport(
            range: scope.header, stepSeconds: bins.step.seconds, rows: rows, requests: try total.int(1), sites: sites,
            sources: sources, samples: samples)
    }
}
