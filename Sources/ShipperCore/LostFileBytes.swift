import LogTailing

/// File bytes of one file generation that were never read, per cause, until a control record
/// (`kind = fileStats`) reports them.
///
/// The cause is the tailer's reason for ending the generation, mapped exactly as the metric
/// `edgelog_shipper_lost_bytes_total{cause}` maps it (`LossCause.init(_: TailedFileEnd)`), so
/// the audit downstream and the metric split every byte the same way. (A deleted file whose
/// last line was unfinished therefore counts as deleted unread, as in the metric.)
///
/// Only the end of a generation loses file bytes. The other losses are not file bytes:
/// `rejected` and `sequence_gap` are lines (`lostLines`), and `checkpoint_obsolete` is counted
/// as an event without bytes (the unread rest of a file that is gone is not known) and is in
/// no control record, so it has no bucket here.
///
/// Invariant: `total == deletedUnread + contentReplaced + unfinishedLine`; the control record
/// writes `total` as `lostBytes` and two of the parts as `lostBytesReplaced` and
/// `lostBytesUnfinished`, so a reader recovers the third as the rest.
struct LostFileBytes: Sendable, Equatable {
    private(set) var deletedUnread: UInt64 = 0
    private(set) var contentReplaced: UInt64 = 0
    private(set) var unfinishedLine: UInt64 = 0

    /// Every cause together. File sizes are `Int64` and a generation ends once, so the sum
    /// of what one control record reports cannot overflow.
    var total: UInt64 { deletedUnread + contentReplaced + unfinishedLine }

    var isEmpty: Bool { total == 0 }

    /// Adds `bytes` (negative counts as 0) lost when the generation ended for `end`.
    mutating func add(_ bytes: Int64, endedBy end: TailedFileEnd) {
        let count = UInt64(max(0, bytes))
        switch LossCause(end) {
        case .deletedUnread: deletedUnread += count
        case .contentReplaced: contentReplaced += count
        case .unfinishedLine: unfinishedLine += count
        case .rejected, .sequenceGap, .checkpointObsolete:
            preconditionFailure("a file generation's end maps to a file-byte cause, not \(LossCause(end))")
        }
    }
}
