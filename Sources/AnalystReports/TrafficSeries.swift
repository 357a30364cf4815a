import Foundation

/// Requests and bandwidth per series point over a range: the first chart of the HTML report.
///
/// From `minute_site` (schema migration 1), binned like every other report's series
/// (`SeriesBins`), so its points line up with theirs.
public struct TrafficSeries: Codable, Sendable, Hashable {
    public struct Point: Codable, Sendable, Hashable {
        public var start: String
        public var requests: Int64
        /// `$body_bytes_sent` summed: the bandwidth served in the point.
        public var bodyBytes: Int64
    }

    public static let schemaVersion = 1
    public var stepSeconds: Int64
    public var points: [Point]

    static let seriesSQL = """
        SELECT \(SeriesBins.binExpression(stepParameter: 4)) AS point, coalesce(sum(requests), 0),
               coalesce(sum(body_bytes), 0)
        FROM public.minute_site
        WHERE bucket >= $1::timestamptz AND bucket < $2::timestamptz AND ($3::text IS NULL OR site = $3)
        GROUP BY 1
        """

    public static func run(session: CoordinatorSession, scope: ReportScope) throws -> TrafficSeries {
        let name = "traffic"
        try session.requireSchema(version: schemaVersion, report: name)
        let bins = SeriesBins(scope: scope)
        var points = (0..<bins.count).map {
            Point(start: ReportRange.format(bins.start(ofPoint: $0)), requests: 0, bodyBytes: 0)
        }
        for row in try session.rows(seriesSQL, scope.parameters + [String(bins.step.seconds)], report: name) {
            guard let point = bins.index(try row.int(0)) else { continue }
            points[point].requests = try row.int(1)
            points[point].bodyBytes = try row.int(2)
        }
        return TrafficSeries(stepSeconds: bins.step.seconds, points: points)
    }
}
