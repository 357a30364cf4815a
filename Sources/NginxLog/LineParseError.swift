/// Why a line did not match its format. The line is still kept (`ParsedLine.line` holds the
/// raw bytes) and shipped with the error flag; this says what went wrong and where.
///
/// Every `at:` is an offset into the buffer given to `LogParser.parse`, like `FieldSpan`.
/// Only structural problems are errors: junk request lines, unknown methods, unparsable client
/// addresses or unknown cache statuses are data nginx really writes and parse fine.
public enum LineParseError: Sendable, Hashable {
    /// The line is empty (nothing but the line break).
    case emptyLine
    /// The format's literal text was expected at this offset but other bytes were there.
    case literalMismatch(at: Int)
    /// The line ended while the format still expected more: the literal after a value was
    /// never found, or a quoted value has no closing quote (a cut-off line, or a line of
    /// another format). `at` is the end of the line.
    case truncated(at: Int)
    /// The format ended but the line goes on from this offset (e.g. `edge` line, `combined` format).
    case trailingBytes(at: Int)
    /// `$time_local`, `$time_iso8601` or `$msec` starting at this offset is not a valid time.
    case badTimestamp(at: Int)
    /// `$status` starting at this offset is not 1–3 decimal digits.
    case badStatus(at: Int)
    /// A byte count or duration starting at this offset is not a number (or overflows).
    case badNumber(at: Int)
}
