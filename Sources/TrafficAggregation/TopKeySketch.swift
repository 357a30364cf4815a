/// A 128-bit key for `TopKeySketch`: a client address or a request path, reduced to two words
/// so the sketch compares and hashes integers, never bytes or `String`s.
///
/// Keys order by (`high`, `low`); for addresses that is numeric address order, so the
/// sketch's ties break the same way on every run.
public struct TopKey: Hashable, Comparable, Sendable {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// A client address: the record's 16 bytes (IPv4 mapped into `::ffff:0:0/96`) read as two
    /// big-endian words, so the key *is* the address and a sketch needs no label for it.
    /// `nil` unless `address` holds exactly 16 bytes (an unknown address is empty).
    public init?(address: UnsafeRawBufferPointer) {
        guard address.count == 16, let base = address.baseAddress else { return nil }
        high = UInt64(bigEndian: base.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        low = UInt64(bigEndian: base.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
    }

    /// A request path: its `StableHash` and its length. Two paths share a key only if their
    /// 64-bit hashes collide at equal lengths, so the sketch keeps the path bytes as the label.
    public init(path: UnsafeRawBufferPointer) {
        high = StableHash.hash(path)
        low = UInt64(path.count)
    }

    /// The 16 address bytes of a key made by `init(address:)`.
    public var addressBytes: [UInt8] {
        withUnsafeBytes(of: (high.bigEndian, low.bigEndian)) { Array($0) }
    }

    public static func < (left: TopKey, right: TopKey) -> Bool {
        left.high != right.high ? left.high < right.high : left.low < right.low
    }
}

/// One monitored key of a `TopKeySketch`, as `top(_:)` reports it.
///
/// Space-Saving guarantees `count - error <= true count <= count`.
public struct TopKeyEntry: Equatable, Sendable {
    public var key: TopKey
    /// Adds counted for the key, plus whatever the counter held when the key took it over.
    public var count: Int64
    /// The most `count` can exceed the key's true count (the count of the key it evicted).
    public var error: Int64
    /// The first `labelLimit` bytes of the label given with the add that made the key take
    /// its counter (empty when the sketch keeps no labels).
    public var label: [UInt8]
    /// Per mark bit 0...3 (`add(_:label:marks:)`), the adds carrying it since the key took
    /// its counter: a lower bound of the key's marked adds (those before a takeover are lost).
    public var markCounts: SIMD4<Int64>

    public init(key: TopKey, count: Int64, error: Int64, label: [UInt8], markCounts: SIMD4<Int64> = .zero) {
        self.key = key
        self.count = count
        self.error = error
        self.label = label
        self.markCounts = markCounts
    }

    /// Adds certainly counted for this key: a lower bound of its true count.
    public var guaranteedCount: Int64 { count - error }
}

/// "Top talkers" of one stream (client addresses or request paths of one (minute, site)) in
/// fixed memory: the Space-Saving sketch of Metwally, Agrawal and El Abbadi, "Efficient
/// Computation of Frequent and Top-k Elements in Data Streams" (ICDT 2005).
///
/// Rules: a monitored key adds 1 to its counter; an unmonitored key takes a free counter
/// (count 1, error 0) or, once all `capacity` counters are taken, the counter with the minimum
/// count m, which becomes (count m + 1, error m) with the new key's label.
///
/// Guarantees (checked by `TopKeySketchTests`):
/// - the counts sum to `total`;
/// - every monitored key has `count - error <= true count <= count`;
/// - every key whose true count exceeds `total / capacity` is monitored;
/// - an unmonitored key's true count is at most the minimum count (0 before any eviction);
/// - while at most `capacity` distinct keys have been added, every count is exact.
///
/// Why this layout: it runs once per request record on the consumer's hot path. All storage is
/// allocated by `init`: one flat array of `capacity` counters, one byte arena of
/// `capacity × labelLimit` for labels, and the index. `add` hashes two words, probes the index
/// and copies at most `labelLimit` bytes, never allocating and never building a `String`
/// (measured in an optimised build: no `malloc` in 2 M adds; 10–16 ns for a hit, 45–75 ns
/// for an add that evicts, at capacity 64). `removeAll` keeps the storage, so
/// one sketch serves minute after minute. (Copying a sketch shares its arrays; the first add
/// to either copy then copies them, as for any array.)
///
/// The index maps a key to its counter: open addressing over a power-of-two table of at least
/// `2 × capacity` slots (so at most half full, and a probe always meets an empty slot), linear
/// probing, and backward-shift deletion on eviction: no tombstones, so probe lengths do not
/// decay however many keys pass through. Each counter remembers its slot and its home slot,
/// so an eviction finds the victim and shifts entries without probing or hashing again.
///
/// Invariants: counters `0..<monitoredCount` are taken and the index holds exactly them, each
/// in the slot its counter records and reachable from its home slot without crossing an empty
/// slot; every taken count >= 1.
public struct TopKeySketch: Sendable {
    /// Counters kept: the number of distinct keys monitored at once.
    public let capacity: Int
    /// Bytes of label kept per counter (0: none, for keys that are their own value).
    public let labelLimit: Int
    /// Every add counted (the stream length N).
    public private(set) var total: Int64 = 0
    /// Adds that evicted a key; 0 means every count is exact.
    public private(set) var evictions: Int64 = 0
    /// Counters taken (`0..<monitoredCount`).
    public private(set) var monitoredCount = 0

    /// The upper limit of `capacity`: a sketch is meant to be small, and counter numbers
    /// are stored as `Int32`.
    public static let maximumCapacity = 1 << 16

    /// One monitored key, with where it sits in the index.
    struct Counter: Sendable {
        var key: TopKey
        var count: Int64
        var error: Int64
        /// The index slot that holds this counter's number.
        var slot: Int32
        /// `homeSlot(of: key)`, kept so deletion moves entries without hashing again.
        var home: Int32
        var labelLength: Int32
        /// Adds per mark bit since the key took the counter.
        var marks: SIMD4<UInt32> = .zero

        static let unused = Counter(
            key: TopKey(high: 0, low: 0), count: 0, error: 0, slot: -1, home: -1, labelLength: 0)
    }

    /// Indexed by counter number; `0..<monitoredCount` are taken.
    private var counters: [Counter]
    /// Counter `c`'s label is `labels[c * labelLimit ..< c * labelLimit + labelLength]`.
    private var labels: [UInt8]

    /// Index slot -> counter number, -1 for an empty slot.
    private var index: [Int32]
    private let indexMask: Int

    /// The eviction search (see `minimumCounter()`), once the sketch is full: every counter
    /// before `minimumCursor` has a count above `minimumCount`, and every counter's count is
    /// at least `minimumCount`. `minimumCursor == capacity` means "search the minimum again".
    private var minimumCount: Int64 = 0
    private var minimumCursor: Int

    /// - Parameters:
    ///   - capacity: counters kept, `1...maximumCapacity` (say 64). A key seen more than
    ///     `total / capacity` times is always monitored.
    ///   - labelLimit: bytes of label kept per counter, `>= 0` (say 256 for paths; 0 for
    ///     addresses, whose key is the value).
    public init(capacity: Int, labelLimit: Int) {
        precondition(
            capacity >= 1 && capacity <= Self.maximumCapacity,
            "capacity \(capacity) out of 1...\(Self.maximumCapacity)")
        precondition(
            labelLimit >= 0 && labelLimit <= Int(Int32.max) / capacity,
            "labelLimit \(labelLimit): the labels would take over 2 GiB")
        self.capacity = capacity
        self.labelLimit = labelLimit
        counters = Array(repeating: .unused, count: capacity)
        labels = Array(repeating: 0, count: capacity * labelLimit)
        var size = 2
        while size < capacity * 2 { size <<= 1 }
        index = Array(repeating: -1, count: size)
        indexMask = size - 1
        minimumCursor = capacity
    }

    /// Whether nothing was added since `init` or `removeAll`.
    public var isEmpty: Bool { total == 0 }

    /// Bytes of storage held, fixed at `init` (for a memory gauge: the consumer keeps a
    /// sketch per (minute, site)). About 20 KB for 64 counters with 256-byte labels, 3.5 KB
    /// for 64 counters without labels.
    public var storageBytes: Int {
        counters.count * MemoryLayout<Counter>.stride + labels.count + index.count * MemoryLayout<Int32>.stride
    }

    /// Counts one occurrence of `key`.
    ///
    /// `label` (say the path bytes) is copied, its first `labelLimit` bytes, only when `key`
    /// takes a counter; a monitored key keeps the label it came with.
    ///
    /// - Complexity: O(1) expected for the index; an eviction also searches the minimum count,
    ///   O(capacity) at worst and amortised far less (see `minimumCounter()`).
    ///
    /// `marks`: bits 0...3 tally, per bit, the key's adds that carried it (the consumer marks a
    /// client's requests by attack class), kept while the key holds its counter.
    public mutating func add(_ key: TopKey, label: UnsafeRawBufferPointer, marks: UInt8 = 0) {
        total += 1
        let home = homeSlot(of: key)
        var slot = home
        while true {
            let counter = index[slot]
            if counter < 0 { break }
            if counters[Int(counter)].key == key {
                counters[Int(counter)].count += 1
                if marks != 0 { counters[Int(counter)].marks &+= Self.markIncrements(marks) }
                return
            }
            slot = (slot &+ 1) & indexMask
        }
        // Not monitored; `slot` is the first empty slot on the key's probe path.
        if monitoredCount < capacity {
            let counter = monitoredCount
            monitoredCount += 1
            take(counter, for: key, home: home, slot: slot, count: 1, error: 0, label: label)
            if marks != 0 { counters[counter].marks = Self.markIncrements(marks) }
            return
        }
        let counter = minimumCounter()
        let minimum = counters[counter].count
        let hole = removeFromIndex(counter)
        evictions += 1
        // The deletion emptied `hole` and left every other slot as full or empty as it was
        // (`slot` too: shifting stops at the first empty slot). So the key's first empty slot
        // is `hole` if that lies on its path before `slot`.
        if (hole &- home) & indexMask < (slot &- home) & indexMask { slot = hole }
        take(counter, for: key, home: home, slot: slot, count: minimum + 1, error: minimum, label: label)
        if marks != 0 { counters[counter].marks = Self.markIncrements(marks) }
    }

    /// 1 in each lane whose bit is set in `marks` (bits 0...3; higher bits are ignored).
    @inline(__always)
    static func markIncrements(_ marks: UInt8) -> SIMD4<UInt32> {
        SIMD4(UInt32(marks & 1), UInt32((marks >> 1) & 1), UInt32((marks >> 2) & 1), UInt32((marks >> 3) & 1))
    }

    /// The entry of `key` if it is monitored.
    public func entry(for key: TopKey) -> TopKeyEntry? {
        guard let counter = counter(of: key) else { return nil }
        return entry(counter)
    }

    /// Monitored keys by count descending, ties by key ascending (so the output depends only
    /// on the counts, not on which counter a key sits in), at most `limit` of them.
    public func top(_ limit: Int) -> [TopKeyEntry] {
        precondition(limit >= 0, "limit \(limit) < 0")
        return rankedCounters().prefix(limit).map { entry($0) }
    }

    /// An upper bound of the true count of every key that `top(limit)` does not return: the
    /// largest count it leaves out and, once a key was evicted, at least the minimum count
    /// (an unmonitored key was counted at most that often). 0 when `top(limit)` returns every
    /// key ever added, each exactly.
    ///
    /// A report can show it as "every other key: at most this many".
    public func upperBound(excludingTop limit: Int) -> Int64 {
        precondition(limit >= 0, "limit \(limit) < 0")
        var bound: Int64 = 0
        if evictions > 0, let minimum = counters[0..<monitoredCount].lazy.map(\.count).min() {
            bound = minimum
        }
        let ranked = rankedCounters()
        if limit < ranked.count { bound = max(bound, counters[ranked[limit]].count) }
        return bound
    }

    /// Back to empty, keeping every array (nothing is allocated or freed).
    public mutating func removeAll() {
        guard total > 0 else { return }
        for slot in index.indices { index[slot] = -1 }
        total = 0
        evictions = 0
        monitoredCount = 0
        minimumCount = 0
        minimumCursor = capacity
    }

    // MARK: - Counters

    /// Gives `counter` to `key`, entering it at the empty index `slot`.
    private mutating func take(
        _ counter: Int, for key: TopKey, home: Int, slot: Int, count: Int64, error: Int64,
        label: UnsafeRawBufferPointer
    ) {
        let length = min(label.count, labelLimit)
        counters[counter] = Counter(
            key: key, count: count, error: error, slot: Int32(truncatingIfNeeded: slot),
            home: Int32(truncatingIfNeeded: home), labelLength: Int32(truncatingIfNeeded: length))
        index[slot] = Int32(truncatingIfNeeded: counter)
        guard length > 0, let source = label.baseAddress else { return }
        let start = counter * labelLimit
        labels.withUnsafeMutableBytes { labels in
            guard let base = labels.baseAddress else { return }
            (base + start).copyMemory(from: source, byteCount: length)
        }
    }

    /// A counter holding the minimum count, to evict (the sketch is full).
    ///
    /// Counts only grow between `removeAll`s, and the evicted counter grows too, so counters
    /// once seen above the minimum stay above it: one pass from `minimumCursor` hands out, one
    /// by one, every counter at the current minimum, and only when the pass ends is the
    /// minimum searched again. Each minimum level thus costs two scans of `capacity` counts,
    /// shared by all the evictions at that level, instead of a scan per eviction (measured:
    /// a scan per eviction made evicting adds 1.3–1.7× slower at capacity 64 and 3–4× at 256).
    /// The counter returned is the lowest-numbered one at the minimum, as a plain scan's.
    private mutating func minimumCounter() -> Int {
        while true {
            if minimumCursor == capacity {
                var minimum = counters[0].count
                for counter in 1..<capacity where counters[counter].count < minimum {
                    minimum = counters[counter].count
                }
                minimumCount = minimum
                minimumCursor = 0
            }
            while minimumCursor < capacity {
                let counter = minimumCursor
                minimumCursor += 1
                if counters[counter].count == minimumCount { return counter }
            }
        }
    }

    /// Taken counters by count descending, then key ascending.
    private func rankedCounters() -> [Int] {
        (0..<monitoredCount).sorted { left, right in
            let (left, right) = (counters[left], counters[right])
            return left.count != right.count ? left.count > right.count : left.key < right.key
        }
    }

    private func entry(_ counter: Int) -> TopKeyEntry {
        let taken = counters[counter]
        let start = counter * labelLimit
        return TopKeyEntry(
            key: taken.key, count: taken.count, error: taken.error,
            label: Array(labels[start..<(start + Int(taken.labelLength))]),
            markCounts: SIMD4<Int64>(truncatingIfNeeded: taken.marks))
    }

    // MARK: - Index

    /// The slot a key's probe starts from.
    ///
    /// Both words are mixed through a bijective finaliser: an IPv4-mapped address varies only
    /// in the low 32 bits of `low` (`high` is 0), an IPv6 client's prefix only in `high`, a
    /// path key in `high`; any of these alone must spread keys over the whole table.
    @inline(__always)
    func homeSlot(of key: TopKey) -> Int {
        var hash = (key.high &* 0x9E37_79B9_7F4A_7C15) ^ key.low
        hash ^= hash >> 32
        hash &*= 0xD6E8_FEB8_6659_FD93
        hash ^= hash >> 32
        hash &*= 0xD6E8_FEB8_6659_FD93
        hash ^= hash >> 32
        return Int(truncatingIfNeeded: hash) & indexMask
    }

    /// The counter of `key`, if monitored.
    func counter(of key: TopKey) -> Int? {
        var slot = homeSlot(of: key)
        while true {
            let counter = index[slot]
            if counter < 0 { return nil }
            if counters[Int(counter)].key == key { return Int(counter) }
            slot = (slot &+ 1) & indexMask
        }
    }

    /// Removes `counter`'s slot, shifting back the entries after it that may move closer to
    /// their home slot (Knuth's Algorithm R), so no lookup needs a tombstone to keep probing.
    /// Returns the one slot this empties.
    private mutating func removeFromIndex(_ counter: Int) -> Int {
        var hole = Int(counters[counter].slot)
        precondition(index[hole] == Int32(truncatingIfNeeded: counter), "index lost counter \(counter)")
        var next = hole
        while true {
            next = (next &+ 1) & indexMask
            let moving = index[next]
            if moving < 0 { break }
            // `moving` may fill the hole if the hole lies on its probe path: from its home
            // to `next`, the hole is no farther than `next` itself.
            let home = Int(counters[Int(moving)].home)
            if (next &- home) & indexMask >= (next &- hole) & indexMask {
                index[hole] = moving
                counters[Int(moving)].slot = Int32(truncatingIfNeeded: hole)
                hole = next
            }
        }
        index[hole] = -1
        return hole
    }

    /// Whether the index holds exactly the taken counters, each once and reachable from its
    /// home slot without an empty slot in between (for tests).
    func indexIsConsistent() -> Bool {
        var seen = Array(repeating: false, count: capacity)
        var occupied = 0
        for slot in index.indices where index[slot] >= 0 {
            let counter = Int(index[slot])
            guard counter < monitoredCount, !seen[counter] else { return false }
            let taken = counters[counter]
            guard Int(taken.slot) == slot, Int(taken.home) == homeSlot(of: taken.key) else { return false }
            seen[counter] = true
            occupied += 1
            var probe = Int(taken.home)
            while probe != slot {
                guard index[probe] >= 0 else { return false }
                probe = (probe &+ 1) & indexMask
            }
        }
        return occupied == monitoredCount
    }

    /// The number of index slots (for tests of the spread of `homeSlot(of:)`).
    var indexSize: Int { index.count }
}
