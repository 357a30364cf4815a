/// The sparse time index of one segment (`<base>.timeindex`): where to start looking for the
/// first batch with a timestamp at or after a given time (ListOffsets by timestamp, retention).
///
/// File layout: entries of 12 bytes back to back, nothing else (size a multiple of 12):
///
/// | offset | size | field |
/// |---:|---:|---|
/// | 0 | 8 | timestamp (int64, big-endian, ms): the largest `maxTimestamp` of all batches of the segment up to and including the batch below |
/// | 8 | 4 | relativeOffset (uint32, big-endian): base offset, minus the segment's, of the batch that first reached that timestamp |
///
/// Invariants: both fields strictly increase. So for an entry (T, O) every batch before O has a
/// `maxTimestamp` below T: a search for the first batch with timestamp >= t may start at the
/// greatest entry with T <= t and never misses one. Entries are written only when an offset
/// index entry is written and the running maximum grew (see `SegmentIndexBuilder`).
struct TimeIndex: Sendable, Hashable {
    struct Entry: Sendable, Hashable {
        var timestamp: Int64
        var relativeOffset: UInt32
    }

    static let entryBytes = 12

    let baseOffset: Int64
    private(set) var entries: [Entry] = []

    init(baseOffset: Int64) {
        self.baseOffset = baseOffset
    }

    /// Decodes a whole `.timeindex` file; `nil` when its size is not a multiple of 12 or the
    /// entries do not strictly increase.
    init?(baseOffset: Int64, fileBytes bytes: [UInt8]) {
        guard bytes.count % Self.entryBytes == 0 else { return nil }
        self.baseOffset = baseOffset
        entries.reserveCapacity(bytes.count / Self.entryBytes)
        let decoded: Bool = bytes.withUnsafeBytes { raw in
            for start in stride(from: 0, to: raw.count, by: Self.entryBytes) {
                let entry = Entry(
                    timestamp: Int64(bigEndian: raw.loadUnaligned(fromByteOffset: start, as: Int64.self)),
                    relativeOffset: UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: start + 8, as: UInt32.self))
                )
                if let last = entries.last,
                    entry.timestamp <= last.timestamp || entry.relativeOffset <= last.relativeOffset
                {
                    return false
                }
                entries.append(entry)
            }
            return true
        }
        guard decoded else { return nil }
    }

    var count: Int { entries.count }
    var last: Entry? { entries.last }

    func offset(of entry: Entry) -> Int64 { baseOffset + Int64(entry.relativeOffset) }

    mutating func append(_ entry: Entry) {
        if let last = entries.last {
            precondition(
                entry.timestamp > last.timestamp && entry.relativeOffset > last.relativeOffset,
                "time index entries strictly increase"
            )
        }
        entries.append(entry)
    }

    mutating func truncate(toCount count: Int) {
        precondition(count >= 0 && count <= entries.count, "truncating within the index")
        entries.removeSubrange(count...)
    }

    /// The entry with the greatest timestamp `<= timestamp`, or `nil` when all are above it.
    ///
    /// - Complexity: O(log n).
    func lookup(timestamp: Int64) -> Entry? {
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle].timestamp <= timestamp { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? nil : entries[low - 1]
    }

    static func encode(_ entry: Entry) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: entryBytes)
        bytes.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: entry.timestamp.bigEndian, toByteOffset: 0, as: Int64.self)
            raw.storeBytes(of: entry.relativeOffset.bigEndian, toByteOffset: 8, as: UInt32.self)
        }
        return bytes
    }

    var fileBytes: [UInt8] { entries.flatMap(Self.encode) }
}
