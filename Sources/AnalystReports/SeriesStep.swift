/// The width of one point of a report's time series, chosen so a range shows as at most
/// `maximumPoints` points: one minute for an hour, five minutes for five hours, a day for two
/// months. Always a whole number of minutes, because minutes are what the coordinator stores.
public struct SeriesStep: Sendable, Hashable, CustomStringConvertible {
    public let seconds: Int64

    /// Enough points to see a shape in a sparkline, few enough to fit a terminal line.
    public static let maximumPoints = 60

    /// The steps tried, narrowest first.
    static let candidates: [Int64] = [
        60, 120, 300, 600, 900, 1_800, 3_600, 7_200, 10_800, 21_600, 43_200, 86_400, 172_800, 604_800,
    ]

    /// The narrowest candidate step that cuts `range` into at most `maximumPoints` points (the
    /// widest candidate for longer ranges).
    public init(for range: ReportRange) {
        let span = range.seconds
        seconds = Self.candidates.first { span / Double($0) <= Double(Self.maximumPoints) } ?? Self.candidates[Self.candidates.count - 1]
    }

    /// A step of `seconds`; nil unless it is a positive whole number of minutes.
    public init?(seconds: Int64) {
        guard seconds > 0 && seconds % 60 == 0 else { return nil }
        self.seconds = seconds
    }

    /// How many points `range` has at this step (the last one may be partial).
    public func pointCount(of range: ReportRange) -> Int {
        max(1, Int((range.seconds / Double(seconds)).rounded(.up)))
    }

    /// `1m`, `15m`, `2h`, `1d`.
    public var description: String {
        if seconds % 86_400 == 0 { return "\(seconds / 86_400)d" }
        if seconds % 3_600 == 0 { return "\(seconds / 3_600)h" }
        return "\(seconds / 60)m"
    }
}
