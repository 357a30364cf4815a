/// The sparse offset index of one segment (`<base>.index`): where in the `.log` file to start
/// reading to find an offset, without scanning the whole segment.
///
/// File layout: entries of 8 bytes back to back, nothing else (no header, no padding, no
/// pre-allocation; the file size is always a multiple of 8):
///
/// | offset | size | field |
/// |---:|---:|---|
/// | 0 | 4 | relativeOffset (uint32, big-endian): base offset of a batch minus the segment's base offset |
/// | 4 | 4 | position (uint32, big-endian): byte position of that batch in the `.log` file |
///
/// Invariants: both fields strictly increase from entry to entry, and every position is the start
/// of a batch inside the log. Entries are added only every `indexIntervalBytes` of log (see
/// `SegmentIndexBuilder`, the single rule both the append path and recovery use, which is why a
/// rebuilt file is byte-identical to the original). There is no checksum: a file that fails the
/// invariants is rebuilt from the log, as Kafka does.
///
/// The whole index is also kept in memory (8 bytes per `indexIntervalBytes` of log, 0.2 % at
/// the default 4 KiB) and searched by binary search.
struct OffsetIndex: Sendable, Hashable {
    struct Entry: Sendable, Hashable {
        var relativeOffset: UInt32
        var position: UInt32
    }

    static let entryBytes = 8

    let baseOffset: Int64
    private(set) var entries: [Entry] = []

    init(baseOffset: Int64) {
        self.baseOffset = baseOffset
    }

    /// Decodes a whole `.index` file; `nil` when its size is not a multiple of 8 or the entries
    /// do not strictly increase (a file to rebuild, not to trust).
    init?(baseOffset: Int64, fileBytes bytes: [UInt8]) {
        guard bytes.count % Self.entryBytes == 0 else { return nil }
        self.baseOffset = baseOffset
        entries.reserveCapacity(bytes.count / Self.entryBytes)
        let decoded: Bool = bytes.withUnsafeBytes { raw in
            for start in stride(from: 0, to: raw.count, by: Self.entryBytes) {
                let entry = Entry(
                    relativeOffset: UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: start, as: UInt32.self)),
                    position: UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: start + 4, as: UInt32.self))
                )
                if let last = entries.last,
                    entry.relativeOffset <= last.relativeOffset || entry.position <= last.position
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

    /// The absolute offset an entry stands for.
    func offset(of entry: Entry) -> Int64 { baseOffset + Int64(entry.relativeOffset) }

    mutating func append(_ entry: Entry) {
        if let last = entries.last {
            precondition(
                entry.relativeOffset > last.relativeOffset && entry.position > last.position,
                "offset index entries strictly increase"
            )
        }
        entries.append(entry)
    }

    /// Keeps the first `count` entries.
    mutating func truncate(toCount count: Int) {
        precondition(count >= 0 && count <= entries.count, "truncating within the index")
        entries.removeSubrange(count...)
    }

    /// The entry with the greatest offset `<= offset` (greatest lower bound), or `nil` when every
    /// entry is above it (then the batch is found by scanning from position 0).
    ///
    /// - Complexity: O(log n).
    func lookup(_ offset: Int64) -> Entry? {
        guard offset >= baseOffset else { return nil }
        let target = offset - baseOffset
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if Int64(entries[middle].relativeOffset) <= target { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? nil : entries[low - 1]
    }

    /// The file bytes of one entry.
    static func encode(_ entry: Entry) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: entryBytes)
        bytes.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: entry.relativeOffset.bigEndian, toByteOffset: 0, as: UInt32.self)
            raw.storeBytes(of: entry.position.bigEndian, toByteOffset: 4, as: UInt32.self)
        }
        return bytes
    }

    /// The whole file.
    var fileBytes: [UInt8] { entries.flatMap(Self.encode) }
}
