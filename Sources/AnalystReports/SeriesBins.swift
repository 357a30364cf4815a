import Foundation

/// Groups the minute rows of a range into the points of a time series.
///
/// Point `i` holds the minutes whose bucket lies in `[since + i·step, since + (i+1)·step)`;
/// the SQL computes `i` (`binExpression`) and `SeriesBins` lays the answer out as one slot per
/// point, so a point without rows is present (as nil or zero) and series of one report line up.
struct SeriesBins {
    let scope: ReportScope
    let step: SeriesStep

    init(scope: ReportScope) {
        self.scope = scope
        self.step = scope.step
    }

    /// SQL for the point index of a row with column `bucket`, given the range start as `$1` and
    /// the step in seconds as parameter `$<stepParameter>`.
    static func binExpression(stepParameter: Int) -> String {
        "floor(extract(epoch FROM (bucket - $1::timestamptz)) / $\(stepParameter)::bigint)::bigint"
    }

    var count: Int { step.pointCount(of: scope.range) }

    /// The start of point `index`.
    func start(ofPoint index: Int) -> Date {
        scope.range.since.addingTimeInterval(Double(step.seconds) * Double(index))
    }

    /// The index a query returned, checked to be a point of this series.
    func index(_ value: Int64) -> Int? {
        value >= 0 && value < Int64(count) ? Int(value) : nil
    }
}
