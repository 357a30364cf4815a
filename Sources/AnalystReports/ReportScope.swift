import Foundation

/// What every report is asked for: a resolved time range and optionally one site.
public struct ReportScope: Sendable, Hashable {
    public var range: ReportRange
    /// Exactly as stored (sites are stored as logged); nil = the whole fleet.
    public var site: String?

    public init(range: ReportRange, site: String?) {
        self.range = range
        self.site = site
    }

    /// The series step for this range.
    public var step: SeriesStep { SeriesStep(for: range) }

    /// `$1` since, `$2` until, `$3` site (NULL = every site): the parameters of every report's
    /// range filter `bucket >= $1::timestamptz AND bucket < $2::timestamptz AND ($3::text IS
    /// NULL OR site = $3)`.
    var parameters: [String?] {
        [ReportRange.format(range.since), ReportRange.format(range.until), site]
    }

    /// The JSON header every report carries.
    var header: ReportHeader {
        ReportHeader(since: ReportRange.format(range.since), until: ReportRange.format(range.until), site: site)
    }
}

/// The range and site of a report in its JSON: `{"since": "...Z", "until": "...Z", "site": null}`.
public struct ReportHeader: Codable, Sendable, Hashable {
    public var since: String
    public var until: String
    @Nullable public var site: String?
}
