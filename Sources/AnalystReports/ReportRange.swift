import Foundation

/// The half-open time range `[since, until)` a report covers, in UTC.
///
/// A minute row belongs to the range when its bucket (the minute's start) lies inside it, so
/// `--last 15m` at 12:00:30 covers the minutes 11:46 through 12:00 (15 rows per site at most)
/// and a range never counts half a minute.
public struct ReportRange: Sendable, Hashable, CustomStringConvertible {
    public let since: Date
    public let until: Date

    /// How a range was asked for, before it is resolved against the clock.
    public enum Request: Sendable, Hashable {
        /// `--last <duration>` (the default is the last hour): relative, re-resolved by `--watch`.
        case last(ReportDuration)
        /// `--since` and/or `--until` (ISO-8601); a missing end is `until` = now or
        /// `since` = `until` - 1 hour.
        case between(since: Date?, until: Date?)
    }

    /// The default range: the last hour.
    public static let defaultSpanSeconds: Int64 = 3_600

    public init(since: Date, until: Date) throws {
        guard since < until else {
            throw ReportError.invalidArgument(
                "the range is empty: --since \(Self.format(since)) is not before --until \(Self.format(until))")
        }
        self.since = since
        self.until = until
    }

    /// Resolves `request` at the clock reading `now`.
    public static func resolve(_ request: Request, now: Date) throws -> ReportRange {
        switch request {
        case .last(let duration):
            return try ReportRange(since: now.addingTimeInterval(-Double(duration.seconds)), until: now)
        case .between(let since, let until):
            let end = until ?? now
            let start = since ?? end.addingTimeInterval(-Double(defaultSpanSeconds))
            return try ReportRange(since: start, until: end)
        }
    }

    /// The range's length in seconds.
    public var seconds: Double { until.timeIntervalSince(since) }

    public var description: String { "[\(Self.format(since)), \(Self.format(until)))" }

    // MARK: - ISO-8601

    /// Parses an ISO-8601 time as operators write it: `2026-12-07T10:00:00Z`, with fractional
    /// seconds, with an offset (`+01:00`), or a bare date `2026-12-07` (midnight UTC). A time
    /// without a zone is refused: guessing the zone would shift the range silently.
    public static func parseTime(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = fractional.date(from: text) { return date }
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        day.timeZone = TimeZone(identifier: "UTC")
        if text.count == 10, let date = day.date(from: text) { return date }
        return nil
    }

    /// `2026-12-07T10:00:00Z` (fractions of a second kept when present).
    public static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        let whole = date.timeIntervalSince1970.rounded(.down) == date.timeIntervalSince1970
        formatter.formatOptions = whole ? [.withInternetDateTime] : [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}
