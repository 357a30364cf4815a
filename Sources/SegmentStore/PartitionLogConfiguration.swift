import FileStorage
import KafkaProtocol
/// Limits and cadences of one partition log. Defaults are Kafka's (`segment.bytes`,
/// `segment.ms`, `index.interval.bytes`, `message.max.bytes`).
public struct PartitionLogConfiguration: Sendable, Hashable {
    /// Roll to a new segment before an append would make the active one larger than this.
    /// At most 2 GiB − 1: index entries hold 32-bit file positions.
    public var segmentBytes: Int
    /// Roll to a new segment on the first append once the active one is this old (measured from
    /// its creation, or from start-up for the segment that was active at shutdown).
    public var segmentAgeMilliseconds: Int64
    /// Bytes of log between two offset index entries (0 indexes every batch). Part of the
    /// on-disk format in effect: indexes rebuilt with another value differ from the originals.
    public var indexIntervalBytes: Int
    /// Largest batch (header included) `append` accepts; `segmentBytes` when that is smaller.
    public var maxBatchBytes: Int

    public init(
        segmentBytes: Int = 1 << 30,
        segmentAgeMilliseconds: Int64 = 7 * 24 * 3600 * 1000,
        indexIntervalBytes: Int = 4096,
        maxBatchBytes: Int = 1_048_588
    ) {
        self.segmentBytes = segmentBytes
        self.segmentAgeMilliseconds = segmentAgeMilliseconds
        self.indexIntervalBytes = indexIntervalBytes
        self.maxBatchBytes = maxBatchBytes
    }

    func validate() throws {
        func invalid(_ message: String) -> StorageError {
            StorageError(code: .invalidConfiguration, message: message)
        }
        guard segmentBytes >= RecordBatchHeader.byteCount, segmentBytes <= Int(Int32.max) else {
            throw invalid("segmentBytes \(segmentBytes) outside \(RecordBatchHeader.byteCount)...\(Int32.max)")
        }
        guard segmentAgeMilliseconds > 0 else { throw invalid("segmentAgeMilliseconds must be positive") }
        guard indexIntervalBytes >= 0 else { throw invalid("indexIntervalBytes must not be negative") }
        guard maxBatchBytes >= RecordBatchHeader.byteCount else {
            throw invalid("maxBatchBytes \(maxBatchBytes) below the \(RecordBatchHeader.byteCount)-byte header")
        }
    }

    /// The limit `append` applies: no batch may be larger than a segment.
    var effectiveMaxBatchBytes: Int { min(maxBatchBytes, segmentBytes) }
}
