/// The compression codec of a RecordBatch: bits 0–2 of its `attributes` (RECORD_BATCH.md §2).
///
/// With any codec but `none`, the records section after the header (``RecordBatchHeader``) is
/// one compressed blob running to the end of the batch (for `lz4`, one LZ4 *frame*);
/// `recordsCount` stays outside it.
public enum RecordCompression: Int16, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case none = 0
    case gzip = 1
    case snappy = 2
    case lz4 = 3
    case zstd = 4

    /// The mask of the codec bits within `attributes`.
    public static let attributeMask: Int16 = 0x07

    public var description: String {
        switch self {
        case .none: "none"
        case .gzip: "gzip"
        case .snappy: "snappy"
        case .lz4: "lz4"
        case .zstd: "zstd"
        }
    }
}
