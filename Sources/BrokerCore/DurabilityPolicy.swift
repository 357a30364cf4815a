/// When the broker fsyncs a partition log, and so what an acknowledgement promises (DESIGN §4,
/// §10.1).
///
/// - ``beforeAck`` (the default): a Produce is answered only once its batches are durable.
///   Concurrent produce requests share one fsync (group commit, ``GroupCommit``), and the high
///   watermark Fetch and ListOffsets expose is the durable end of the log, so no consumer reads
///   bytes a crash can take back. This is the mode the exactly-once contract needs.
/// - ``interval(milliseconds:)``: answered once appended; every partition with unsynced bytes is
///   fsynced every N ms. A crash can lose up to N ms of acknowledged records: **the exactly-once
///   guarantee is given up.** The high watermark is the log end.
/// - ``never``: answered once appended, fsynced only when a segment rolls and at clean shutdown
///   (the page cache survives a process crash, not a power loss). **No exactly-once guarantee.**
///   The high watermark is the log end.
public enum DurabilityPolicy: Sendable, Hashable, CustomStringConvertible {
    case beforeAck
    case interval(milliseconds: Int64)
    case never

    /// Whether Fetch and ListOffsets stop at the durable end (`true`) or the log end.
    public var exposesOnlyDurableOffsets: Bool { self == .beforeAck }

    /// The `fsync` key's words.
    public static let keyWords = ["ack", "interval", "never"]

    /// From the `fsync` key's word and the `fsync-interval` value.
    public init?(word: String, intervalMilliseconds: Int64) {
        switch word {
        case "ack": self = .beforeAck
        case "interval": self = .interval(milliseconds: intervalMilliseconds)
        case "never": self = .never
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .beforeAck: "ack"
        case .interval(let milliseconds): "interval(\(milliseconds)ms)"
        case .never: "never"
        }
    }
}
