/// The sparse time index of one segment (`<base>.timeindex`): where to start looking for the
/// first batch with a timestamp at or after a given time (ListOffsets by timestamp, retention).
///
/// For an entry (T, O) every batch before O has a `maxTimestamp` below T: a search for the first
/// batch with timestamp >= t may start at the greatest entry with T <= t and never misses one.
/// Entries are written only when an offset index entry is written and the running maximum grew
/// (see `SegmentIndexBuilder`).
typealias TimeIndex = SparseIndex<TimeIndexEntry>

/// One `.timeindex` entry, 12 bytes:
///
/// | offset | size | field |
/// |---:|---:|---|
/// | 0 | 8 | timestamp (int64, big-endian, ms): the largest `maxTimestamp` of all batches of the segment up to and including the batch below |
/// | 8 | 4 | relativeOffset (uint32, big-endian): base offset, minus the segment's, of the batch that first reached that timestamp |
///
/// Both fields strictly increase from entry to entry.
struct TimeIndexEntry: SparseIndexEntry {
    var timestamp: Int64
    var relativeOffset: UInt32

    static let byteCount = 12

    init(timestamp: Int64, relativeOffset: UInt32) {
        self.timestamp = timestamp
        self.relativeOffset = relativeOffset
    }

    init(loading raw: UnsafeRawBufferPointer, at start: Int) {
        timestamp = Int64(bigEndian: raw.loadUnaligned(fromByteOffset: start, as: Int64.self))
        relativeOffset = UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: start + 8, as: UInt32.self))
    }

    func store(into raw: UnsafeMutableRawBufferPointer, at start: Int) {
        raw.storeBytes(of: timestamp.bigEndian, toByteOffset: start, as: Int64.self)
        raw.storeBytes(of: relativeOffset.bigEndian, toByteOffset: start + 8, as: UInt32.self)
    }

    func strictlyFollows(_ previous: Self) -> Bool {
        timestamp > previous.timestamp && relativeOffset > previous.relativeOffset
    }
}

extension SparseIndex where Element == TimeIndexEntry {
    /// The entry with the greatest timestamp `<= timestamp`, or `nil` when all are above it.
    ///
    /// - Complexity: O(log n).
    func lookup(timestamp: Int64) -> Entry? {
        greatestLowerBound { $0.timestamp <= timestamp }
    }
}
