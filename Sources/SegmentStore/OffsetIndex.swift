/// The sparse offset index of one segment (`<base>.index`): where in the `.log` file to start
/// reading to find an offset, without scanning the whole segment.
///
/// Entries are added only every `indexIntervalBytes` of log (see `SegmentIndexBuilder`). The
/// whole index is kept in memory (8 bytes per `indexIntervalBytes` of log, 0.2 % at the default
/// 4 KiB) and searched by binary search.
typealias OffsetIndex = SparseIndex<OffsetIndexEntry>

/// One `.index` entry, 8 bytes:
///
/// | offset | size | field |
/// |---:|---:|---|
/// | 0 | 4 | relativeOffset (uint32, big-endian): base offset of a batch minus the segment's base offset |
/// | 4 | 4 | position (uint32, big-endian): byte position of that batch in the `.log` file |
///
/// Both fields strictly increase from entry to entry, and every position is the start of a batch.
struct OffsetIndexEntry: SparseIndexEntry {
    var relativeOffset: UInt32
    var position: UInt32

    static let byteCount = 8

    init(relativeOffset: UInt32, position: UInt32) {
        self.relativeOffset = relativeOffset
        self.position = position
    }

    init(loading raw: UnsafeRawBufferPointer, at start: Int) {
        relativeOffset = UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: start, as: UInt32.self))
        position = UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: start + 4, as: UInt32.self))
    }

    func store(into raw: UnsafeMutableRawBufferPointer, at start: Int) {
        raw.storeBytes(of: relativeOffset.bigEndian, toByteOffset: start, as: UInt32.self)
        raw.storeBytes(of: position.bigEndian, toByteOffset: start + 4, as: UInt32.self)
    }

    func strictlyFollows(_ previous: Self) -> Bool {
        relativeOffset > previous.relativeOffset && position > previous.position
    }
}

extension SparseIndex where Element == OffsetIndexEntry {
    /// The entry with the greatest offset `<= offset` (greatest lower bound), or `nil` when every
    /// entry is above it (then the batch is found by scanning from position 0).
    ///
    /// - Complexity: O(log n).
    func lookup(_ offset: Int64) -> Entry? {
        guard offset >= baseOffset else { return nil }
        let target = offset - baseOffset
        return greatestLowerBound { Int64($0.relativeOffset) <= target }
    }
}
