/// Totals the shipper reports about once a second to `--progress` (and to tests): a reporter
/// turns two snapshots into rates.
public struct ProgressSnapshot: Sendable, Equatable {
    /// When the snapshot was taken.
    public var time: ContinuousClock.Instant
    /// Lines read since start.
    public var lines: Int64
    /// File bytes those lines stand for.
    public var bytes: Int64
    /// Records the broker acknowledged since start.
    public var acknowledged: Int64
    /// File bytes not read yet, over all files.
    public var lagBytes: Int64
    /// Batches sent and not yet acknowledged.
    public var batchesInFlight: Int
    /// Reading is stopped because `memory-limit` is reached.
    public var isPaused: Bool

    public init(
        time: ContinuousClock.Instant,
        lines: Int64,
        bytes: Int64,
        acknowledged: Int64,
        lagBytes: Int64,
        batchesInFlight: Int,
        isPaused: Bool
    ) {
        self.time = time
        self.lines = lines
        self.bytes = bytes
        self.acknowledged = acknowledged
        self.lagBytes = lagBytes
        self.batchesInFlight = batchesInFlight
        self.isPaused = isPaused
    }

    /// One status line from the previous snapshot to this one:
    /// `412345 lines/s  98.1 MB/s  acked 1203456  lag 12.0 MB  in flight 7`.
    public func line(since previous: ProgressSnapshot) -> String {
        let elapsed = previous.time.duration(to: time)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = seconds > 0 ? Double(lines - previous.lines) / seconds : 0
        let megabytes = seconds > 0 ? Double(bytes - previous.bytes) / seconds / 1e6 : 0
        var text = "\(Int(rate.rounded())) lines/s  \(Self.oneDecimal(megabytes)) MB/s  acked \(acknowledged)"
        text += "  lag \(Self.oneDecimal(Double(lagBytes) / 1e6)) MB  in flight \(batchesInFlight)"
        if isPaused { text += "  (paused: memory limit)" }
        return text
    }

    private static func oneDecimal(_ value: Double) -> String {
        let tenths = Int64((value * 10).rounded())
        return "\(tenths / 10).\(abs(tenths % 10))"
    }
}
