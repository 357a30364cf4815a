/// The last distinct values of one field (user values, or paths, queries or referers that the
/// prefilter let through) and what the detector made of them, so a repeated value costs one
/// hash and one comparison instead of the detectors.
///
/// Values repeat heavily: a site's traffic has a few hundred distinct user values, a handful of
/// them in most requests; and what passes the prefilter repeats too (a scanner sends the same
/// payloads to every site, a page keeps its `?b=%20x`). Those few percent of requests cost
/// microseconds each in the detectors, much more than the clean majority together. The memo
/// is a two-way set-associative table of `setCount` sets: each of a set's two slots holds one
/// value of at most `slotBytes` bytes and its classes; a longer value is never remembered. A
/// new value goes to the first slot of its set and moves the previous one to the second (so
/// two hot values that share a set both stay). A slot is keyed by a 64-bit hash of the bytes,
/// and a hit is confirmed by comparing the bytes themselves, so the memo never changes a
/// result: it only skips recomputing it. Its storage is allocated at the first `remember`.
///
/// A value type with its own storage: each owner (one per aggregator, one per thread) has its
/// own copy, so it is `Sendable` without locks.
struct ClassificationMemo: Sendable {
    static let setCount = 256
    static let slotCount = 2 * setCount
    static let slotBytes = 256

    private struct Slot: Sendable {
        var hash: UInt64 = 0
        /// Bytes of the value in the slot; -1 while the slot is empty.
        var count: Int = -1
        var classes: AttackClasses = []
    }

    private var slots: [Slot] = []
    private var bytes: [UInt8] = []

    init() {}

    /// The remembered classes of `value`, or `compute()`'s, remembered.
    @inline(__always)
    mutating func classes(of value: UnsafeRawBufferPointer, computing compute: () -> AttackClasses) -> AttackClasses {
        let hash = Self.hash(value)
        if let remembered = lookup(value, hash: hash) { return remembered }
        let classes = compute()
        remember(value, hash: hash, classes: classes)
        return classes
    }

    /// The remembered classes of `value`, or nil.
    @inline(__always)
    func lookup(_ value: UnsafeRawBufferPointer, hash: UInt64) -> AttackClasses? {
        guard !slots.isEmpty else { return nil }
        let first = Self.firstSlot(hash)
        for index in first..<(first + 2) {
            let slot = slots[index]
            guard slot.hash == hash, slot.count == value.count else { continue }
            let equal = bytes.withUnsafeBytes { storage in
                Self.equal(value, UnsafeRawBufferPointer(rebasing: storage[(index * Self.slotBytes)...]))
            }
            if equal { return slot.classes }
        }
        return nil
    }

    /// Remembers `classes` for `value` in the first slot of its set, moving what that slot
    /// held to the second.
    mutating func remember(_ value: UnsafeRawBufferPointer, hash: UInt64, classes: AttackClasses) {
        guard value.count <= Self.slotBytes else { return }
        if slots.isEmpty {
            slots = [Slot](repeating: Slot(), count: Self.slotCount)
            bytes = [UInt8](repeating: 0, count: Self.slotCount * Self.slotBytes)
        }
        let first = Self.firstSlot(hash)
        slots[first + 1] = slots[first]
        slots[first] = Slot(hash: hash, count: value.count, classes: classes)
        bytes.withUnsafeMutableBytes { storage in
            guard let base = storage.baseAddress else { return }
            let slot = base + first * Self.slotBytes
            (slot + Self.slotBytes).copyMemory(from: slot, byteCount: Self.slotBytes)
            if let source = value.baseAddress { slot.copyMemory(from: source, byteCount: value.count) }
        }
        assert(lookup(value, hash: hash) == classes)
    }

    /// The first of the two slots of `hash`'s set.
    @inline(__always)
    private static func firstSlot(_ hash: UInt64) -> Int { Int(truncatingIfNeeded: hash >> 56) &* 2 }

    /// A 64-bit hash of `bytes`, eight bytes per step.
    @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        var offset = 0
        while offset + 8 <= bytes.count {
            let word = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            hash = (hash ^ word) &* 0xFF51_AFD7_ED55_8CCD
            hash ^= hash >> 32
            offset += 8
        }
        var tail: UInt64 = 0
        if offset < bytes.count {
            if bytes.count >= 8 {
                // The last eight bytes, overlapping the last full word.
                tail = bytes.loadUnaligned(fromByteOffset: bytes.count - 8, as: UInt64.self)
            } else {
                var shift: UInt64 = 0
                while offset < bytes.count {
                    tail |= UInt64(bytes[offset]) << shift
                    shift += 8
                    offset += 1
                }
            }
        }
        hash = (hash ^ tail) &* 0xC4CE_B9FE_1A85_EC53
        return hash ^ (hash >> 29)
    }

    /// True if the first `first.count` bytes of `second` equal `first`.
    @inline(__always)
    private static func equal(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer) -> Bool {
        let count = first.count
        var offset = 0
        while offset + 8 <= count {
            if first.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                != second.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            {
                return false
            }
            offset += 8
        }
        if offset < count, count >= 8 {
            // The last eight bytes, overlapping the last full word.
            return first.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
                == second.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
        }
        while offset < count {
            if first[offset] != second[offset] { return false }
            offset += 1
        }
        return true
    }
}
