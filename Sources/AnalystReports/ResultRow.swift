import Foundation

/// One row of a report query, read by column index with typed conversions that fail loudly
/// (`ReportError.unexpectedValue`) instead of guessing.
struct ResultRow {
    let values: [String?]
    let columns: [String]
    let report: String

    private func raw(_ index: Int) -> String? { index < values.count ? values[index] : nil }

    private func failure(_ index: Int) -> ReportError {
        .unexpectedValue(report: report, column: index < columns.count ? columns[index] : "#\(index)", value: raw(index))
    }

    func text(_ index: Int) throws -> String {
        guard let value = raw(index) else { throw failure(index) }
        return value
    }

    func optionalText(_ index: Int) -> String? { raw(index) }

    /// An integer; SQL NULL (a sum over nothing) reads as 0.
    func int(_ index: Int) throws -> Int64 {
        guard let value = raw(index) else { return 0 }
        guard let number = Int64(value) else { throw failure(index) }
        return number
    }

    /// A floating-point value, or nil for SQL NULL (a ratio over nothing).
    func double(_ index: Int) throws -> Double? {
        guard let value = raw(index) else { return nil }
        guard let number = Double(value) else { throw failure(index) }
        return number.isFinite ? number : nil
    }

    /// Seconds since the epoch (the queries return `extract(epoch FROM ...)`) as a date.
    func epoch(_ index: Int) throws -> Date {
        guard let value = raw(index), let seconds = Double(value) else { throw failure(index) }
        return Date(timeIntervalSince1970: seconds)
    }
}
