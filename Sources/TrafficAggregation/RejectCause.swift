/// Why a record was counted in the rejected rows instead of the aggregates.
///
/// The raw value is the `cause` text stored in the shards' rejected table; append only.
/// Rejected rows are per (partition, cause), so a rejected record is never silent (DESIGN §1)
/// and its offsets point an operator at it in the broker's log.
public enum RejectCause: String, CaseIterable, Sendable {
    /// The consumer could not decode the record value (`AccessRecordReader` threw).
    case undecodable
    /// A `kind` ordinal this version does not know (written by a newer shipper).
    case unknownKind = "unknown_kind"
    /// Offsets the broker no longer had when the consumer got to them (retention removed them
    /// first): counted through `PartitionAggregator.rejectGap(upTo:cause:)`.
    case retentionGap = "retention_gap"

    /// Position in `allCases`, for per-cause arrays.
    @inlinable var index: Int {
        switch self {
        case .undecodable: 0
        case .unknownKind: 1
        case .retentionGap: 2
        }
    }
}
