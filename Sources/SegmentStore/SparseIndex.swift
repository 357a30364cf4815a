/// One entry of a sparse index file: a fixed number of big-endian bytes, ordered so that both
/// of its fields strictly increase from entry to entry. `OffsetIndexEntry` and `TimeIndexEntry`
/// state their byte layouts.
protocol SparseIndexEntry: Sendable, Hashable {
    /// Bytes of one entry in the file.
    static var byteCount: Int { get }
    /// Base offset of the batch the entry points at, minus the segment's base offset.
    var relativeOffset: UInt32 { get }
    init(loading raw: UnsafeRawBufferPointer, at start: Int)
    func store(into raw: UnsafeMutableRawBufferPointer, at start: Int)
    /// Whether `self` may follow `previous` in the file (every field strictly greater).
    func strictlyFollows(_ previous: Self) -> Bool
}

/// A segment's sparse index (`.index` or `.timeindex`), kept whole in memory and mirrored in its
/// file: entries back to back, nothing else (no header, no padding, no pre-allocation), so the
/// file size is always a multiple of the entry size.
///
/// Invariant: entries strictly increase (`SparseIndexEntry.strictlyFollows`). There is no
/// checksum: a file that fails the invariant is rebuilt from the log, as Kafka does, by the same
/// rule the append path uses (`SegmentIndexBuilder`), so the rebuilt file is byte-identical.
struct SparseIndex<Element: SparseIndexEntry>: Sendable, Hashable {
    typealias Entry = Element

    static var entryBytes: Int { Entry.byteCount }

    let baseOffset: Int64
    private(set) var entries: [Entry] = []

    init(baseOffset: Int64) {
        self.baseOffset = baseOffset
    }

    /// Decodes a whole index file; `nil` when its size is not a multiple of the entry size or
    /// the entries do not strictly increase (a file to rebuild, not to trust).
    init?(baseOffset: Int64, fileBytes bytes: [UInt8]) {
        guard bytes.count % Self.entryBytes == 0 else { return nil }
        self.baseOffset = baseOffset
        entries.reserveCapacity(bytes.count / Self.entryBytes)
        let decoded: Bool = bytes.withUnsafeBytes { raw in
            for start in stride(from: 0, to: raw.count, by: Self.entryBytes) {
                let entry = Entry(loading: raw, at: start)
                if let last = entries.last, !entry.strictlyFollows(last) { return false }
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
            precondition(entry.strictlyFollows(last), "sparse index entries strictly increase")
        }
        entries.append(entry)
    }

    /// Keeps the first `count` entries.
    mutating func truncate(toCount count: Int) {
        precondition(count >= 0 && count <= entries.count, "truncating within the index")
        entries.removeSubrange(count...)
    }

    /// The last entry for which `isAtOrBelow` holds (greatest lower bound), or `nil` when it
    /// holds for none. `isAtOrBelow` must be true for a prefix of the entries.
    ///
    /// - Complexity: O(log n).
    func greatestLowerBound(_ isAtOrBelow: (Entry) -> Bool) -> Entry? {
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if isAtOrBelow(entries[middle]) { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? nil : entries[low - 1]
    }

    /// The file bytes of one entry.
    static func encode(_ entry: Entry) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: entryBytes)
        bytes.withUnsafeMutableBytes { entry.store(into: $0, at: 0) }
        return bytes
    }

    /// The whole file.
    var fileBytes: [UInt8] { entries.flatMap(Self.encode) }
}
