/// Interns name bytes (sites; also edges and source files) as dense `Int32` ids, so the
/// aggregator's hot path works on integers, and caches each id's shard.
///
/// Layout: every distinct raw key is stored once in a byte arena; an open-addressing table of
/// `Slot`s (linear probing, power-of-two size, at most half full) maps `StableHash.hash(key)`
/// to the key's place in the arena and its id. A lookup that hits hashes the bytes, probes and
/// compares — no heap allocation, no `String`. A miss (the first time a key is seen) applies
/// `SiteName.storedText`, which allocates.
///
/// Two raw keys with the same stored text (say `"a\0"` and `"a\u{FFFD}"`, or an empty site and
/// a literal `"(unknown)"`) get the same id: ids are unique per stored text, compared as UTF-8
/// bytes (not `String ==`, which would merge canonically equivalent spellings PostgreSQL keeps
/// apart). So no delta ever carries one (minute, site) twice, which `INSERT ... ON CONFLICT`
/// would refuse (PITFALLS).
///
/// The last key looked up is remembered: records of one file come in runs, so the edge and
/// source-file lookups usually end with one byte comparison and no hash.
///
/// Invariants: ids are `0..<count`, assigned in first-seen order; `name(of:)` and
/// `shard(of:)` never change for an id. The table only grows (a bound on distinct sites per
/// minute is the consumer's cardinality rule, DESIGN §5).
public struct SiteTable: Sendable {
    @usableFromInline struct Slot: Sendable {
        @usableFromInline var hash: UInt64
        @usableFromInline var keyStart: Int
        @usableFromInline var keyLength: Int32
        /// -1 marks an empty slot.
        @usableFromInline var id: Int32

        @usableFromInline static let empty = Slot(hash: 0, keyStart: 0, keyLength: 0, id: -1)
    }

    /// Raw keys, back to back.
    @usableFromInline var arena: [UInt8] = []
    @usableFromInline var slots: [Slot]
    @usableFromInline var slotMask: Int
    /// Raw keys stored (>= `count`: several raw keys may share an id).
    @usableFromInline var keyCount = 0
    /// The last key looked up: its place in the arena and its id (-1: none yet).
    @usableFromInline var lastKeyStart = 0
    @usableFromInline var lastKeyLength = 0
    @usableFromInline var lastId: Int32 = -1

    /// Stored text of each id.
    @usableFromInline var names: [String] = []
    /// Shard of each id's stored text on `ring`.
    @usableFromInline var shards: [Int32] = []
    /// Stored text (UTF-8) -> id, consulted only on a miss.
    private var idsByStoredText: [[UInt8]: Int32] = [:]

    /// The ring `shard(of:)` answers for.
    public let ring: ShardRing

    public init(ring: ShardRing, initialCapacity: Int = 1024) {
        self.ring = ring
        var size = 16
        while size < initialCapacity * 2 { size <<= 1 }
        slots = Array(repeating: .empty, count: size)
        slotMask = size - 1
    }

    /// Distinct stored names (ids are `0..<count`).
    public var count: Int { names.count }

    /// Bytes held by the arena of raw keys (for a memory gauge).
    public var arenaBytes: Int { arena.count }

    /// The stored text of `id`.
    @inlinable public func name(of id: Int32) -> String { names[Int(id)] }

    /// The shard of `id`'s stored text.
    @inlinable public func shard(of id: Int32) -> Int { Int(shards[Int(id)]) }

    /// The id of `bytes`, interning them on first sight.
    @inlinable
    public mutating func id(for bytes: UnsafeRawBufferPointer) -> Int32 {
        if lastId >= 0, bytes.count == lastKeyLength, arenaEquals(start: lastKeyStart, bytes) {
            return lastId
        }
        let hash = StableHash.hash(bytes)
        let found: Slot? = slots.withUnsafeBufferPointer { slots in
            var index = Int(truncatingIfNeeded: hash) & slotMask
            while true {
                let slot = slots[index]
                if slot.id < 0 { return nil }
                if slot.hash == hash, Int(slot.keyLength) == bytes.count, arenaEquals(start: slot.keyStart, bytes) {
                    return slot
                }
                index = (index &+ 1) & slotMask
            }
        }
        if let found {
            lastKeyStart = found.keyStart
            lastKeyLength = Int(found.keyLength)
            lastId = found.id
            return found.id
        }
        return insert(bytes, hash: hash)
    }

    /// The id of a name given as a `String` (tests, configuration).
    public mutating func id(for text: String) -> Int32 {
        var copy = text
        return copy.withUTF8 { id(for: UnsafeRawBufferPointer($0)) }
    }

    /// Whether the arena bytes at `start` equal `bytes` (whose length the caller checked).
    @inlinable
    func arenaEquals(start: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
        let count = bytes.count
        if count == 0 { return true }
        return arena.withUnsafeBytes { arena in
            guard let stored = arena.baseAddress, let probe = bytes.baseAddress else { return false }
            let left = stored + start
            var index = 0
            while index + 8 <= count {
                if left.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                    != probe.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                {
                    return false
                }
                index += 8
            }
            while index < count {
                if left.load(fromByteOffset: index, as: UInt8.self)
                    != probe.load(fromByteOffset: index, as: UInt8.self)
                {
                    return false
                }
                index += 1
            }
            return true
        }
    }

    /// First sight of `bytes`: find or create the id of its stored text, remember the raw key.
    @usableFromInline
    mutating func insert(_ bytes: UnsafeRawBufferPointer, hash: UInt64) -> Int32 {
        let stored = SiteName.storedText(bytes)
        let storedBytes = Array(stored.utf8)
        let id: Int32
        if let existing = idsByStoredText[storedBytes] {
            id = existing
        } else {
            id = Int32(names.count)
            names.append(stored)
            shards.append(Int32(ring.shard(forSite: stored)))
            idsByStoredText[storedBytes] = id
        }
        if (keyCount + 1) * 2 > slots.count { grow() }
        let start = arena.count
        arena.append(contentsOf: bytes)
        placeSlot(Slot(hash: hash, keyStart: start, keyLength: Int32(bytes.count), id: id))
        keyCount += 1
        lastKeyStart = start
        lastKeyLength = bytes.count
        lastId = id
        return id
    }

    private mutating func placeSlot(_ slot: Slot) {
        var index = Int(truncatingIfNeeded: slot.hash) & slotMask
        while slots[index].id >= 0 { index = (index + 1) & slotMask }
        slots[index] = slot
    }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: .empty, count: old.count * 2)
        slotMask = slots.count - 1
        for slot in old where slot.id >= 0 { placeSlot(slot) }
    }
}
