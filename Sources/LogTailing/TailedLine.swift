/// One complete line read from a tailed file, handed out without copying.
///
/// `bytes` points into the tailer's `ReadBuffer` and is valid only inside the closure that
/// received the line: parse or copy it there. `range` is what the line accounts for in the
/// file: from its first byte through its `\n`, including the skipped rest of a truncated line.
/// Consecutive lines of one file have adjacent ranges, so a batch of lines covers
/// `first.range.lowerBound ..< last.range.upperBound` and the ranges of all batches tile the
/// file without gaps (what `AcknowledgedPrefix` relies on).
public struct TailedLine {
    /// The file generation the line was read from.
    public var file: TailedFileID
    /// Index of the `LogSource` (in the tailer's source list) that matched the file; gives the
    /// line's `log_format` and site label.
    public var sourceIndex: Int
    /// The line without its `\n` (a `\r` before it is kept), at most `maxLineBytes` long.
    public var bytes: UnsafeRawBufferPointer
    /// File offsets the line stands for, `\n` included.
    public var range: Range<Int64>
    /// Whether the line was longer than `maxLineBytes`: `bytes` is its beginning and the rest
    /// up to the `\n` was skipped (counted, never buffered).
    public var isTruncated: Bool

    public init(
        file: TailedFileID, sourceIndex: Int, bytes: UnsafeRawBufferPointer, range: Range<Int64>, isTruncated: Bool
    ) {
        self.file = file
        self.sourceIndex = sourceIndex
        self.bytes = bytes
        self.range = range
        self.isTruncated = isTruncated
    }
}

@available(*, unavailable)
extension TailedLine: Sendable {}
