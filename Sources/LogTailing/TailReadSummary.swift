/// What one `Tailer.nextLines` call handed out.
public struct TailReadSummary: Sendable, Equatable {
    /// Lines handed to the closure.
    public var lines: Int
    /// Bytes examined (lines, skipped rest of truncated lines, unfinished last lines).
    public var scannedBytes: Int64
    /// Every tracked file was read to its current end: wait for the next poll before asking
    /// again. `false` when the byte budget ran out first.
    public var isCaughtUp: Bool

    public init(lines: Int, scannedBytes: Int64, isCaughtUp: Bool) {
        self.lines = lines
        self.scannedBytes = scannedBytes
        self.isCaughtUp = isCaughtUp
    }
}
