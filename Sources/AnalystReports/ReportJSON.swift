import Foundation

/// The one way reports are written as JSON: keys sorted (stable output for diffs and tests),
/// numbers as JSON numbers, absent values as `null`, no escaped slashes.
public enum ReportJSON {
    public static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
