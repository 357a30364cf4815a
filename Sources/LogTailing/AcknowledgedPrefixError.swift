/// A batch range that `AcknowledgedPrefix` cannot accept.
public struct AcknowledgedPrefixError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        /// A registered batch must start where the previous one ended, and not be empty.
        case notContiguous(expectedStart: Int64)
        /// No batch in flight covers exactly this range.
        case unknownBatch
    }

    public var code: Code
    public var range: Range<Int64>

    public init(_ code: Code, range: Range<Int64>) {
        self.code = code
        self.range = range
    }

    public var description: String {
        switch code {
        case .notContiguous(let expected):
            "batch \(range) does not start at the end of the previous batch (\(expected))"
        case .unknownBatch:
            "no batch in flight covers exactly \(range)"
        }
    }
}
