/// Why a `log_format` string could not be compiled, and where.
///
/// `position` is the UTF-8 byte offset into the source string given to `LogFormat(_:)`, so an
/// operator can point at the offending character of their nginx configuration.
public struct LogFormatError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        /// A `'` or `"` quoted piece has no closing quote.
        case unterminatedQuote
        /// `$` followed by neither a name character nor `{`.
        case emptyVariableName
        /// `${name` without the closing `}`.
        case unterminatedBrace
        /// `escape=` with a value other than `default`, `json` or `none`.
        case unknownEscape(String)
        /// The format has no pieces at all (nothing after the name and `escape=`).
        case emptyFormat
        /// Two variables with no literal between them, where the first one's end cannot be
        /// found from its own bytes (e.g. `$status$body_bytes_sent`).
        case ambiguousAdjacentVariables(first: String, second: String)
        /// A backslash at the very end of the source.
        case danglingBackslash
    }

    public var code: Code
    /// UTF-8 byte offset into the source where the problem starts.
    public var position: Int

    public init(_ code: Code, at position: Int) {
        self.code = code
        self.position = position
    }

    public var description: String {
        "log_format error at byte \(position): \(code)"
    }
}
