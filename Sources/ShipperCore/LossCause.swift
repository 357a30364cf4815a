import LogTailing

/// Every way a line can leave the shipper without reaching the broker, one metric label each
/// (DESIGN.md §7: loss is observable, never silent).
public enum LossCause: String, Sendable, CaseIterable {
    /// A file was unlinked before it was read to its end (or held past `deletedFileGrace`).
    case deletedUnread = "deleted_unread"
    /// copytruncate replaced the content before the old bytes were read.
    case contentReplaced = "content_replaced"
    /// A finished file ended without a `\n` after its last bytes (a line never completed).
    case unfinishedLine = "unfinished_line"
    /// The broker refused a batch for good (too large, corrupt): its records are lost.
    case rejected
    /// The broker lost records it had acknowledged (fsync off, data wiped): counted once per gap.
    case sequenceGap = "sequence_gap"
    /// A loaded checkpoint matched no file any more (its content was replaced, or no file was
    /// found for it during `missing-file-expiry`): whatever was unread of it is gone.
    case checkpointObsolete = "checkpoint_obsolete"

    /// The cause of bytes the tailer reports lost when a file generation ends.
    public init(_ end: TailedFileEnd) {
        switch end {
        case .deleted: self = .deletedUnread
        case .truncated: self = .contentReplaced
        case .rotated: self = .unfinishedLine
        }
    }
}
