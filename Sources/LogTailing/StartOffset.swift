/// Where reading a newly tracked file begins.
public enum StartOffset: Sendable, Equatable {
    /// A known line boundary: 0 for a new file, a checkpoint's acknowledged offset on resume.
    case offset(Int64)
    /// Just after the last `\n` at or before the given size (0 when there is none), for
    /// `--start-at end`: never mid-line, so the first line shipped is a whole line.
    case lastLineBoundary(atOrBefore: Int64)
}
