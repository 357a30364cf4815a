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

    /// A 64-bit hash of `bytes`: four independent multiply chains over 32 bytes per step, so a
    /// 100-byte user agent costs four steps of one multiply's latency instead of thirteen in a
    /// row. Every byte takes part (the last step overlaps the previous one when the count is
    /// not a multiple of 32; shorter values load overlapping words); the hash only picks the
    /// set and screens slots, a hit is always confirmed by the bytes.
    ///
    /// A step is `lane = (lane ^ word) &* multiplier`, two instructions per word: nothing
    /// folds a lane's high bits back down between steps, so a lane's low bits depend only on
    /// the words' low bits, but its top bits depend on every bit of every word, and the
    /// rotations and the final mix carry those into the top eight bits that pick the set. The
    /// hash is computed for every request's user agent, and the fold per word was ≈ a third of
    /// its instructions.
    @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let count = bytes.count
        let multiplier: UInt64 = 0xFF51_AFD7_ED55_8CCD
        var lanes = (
            0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: count), UInt64(0xC2B2_AE3D_27D4_EB4F),
            UInt64(0x1656_67B1_9E37_79F9), UInt64(0x85EB_CA77_C2B2_AE63)
        )
        @inline(__always) func mix(_ lane: inout UInt64, _ word: UInt64) { lane = (lane ^ word) &* multiplier }
        @inline(__always) func word(_ offset: Int) -> UInt64 { bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self) }
        if count >= 32 {
            var offset = 0
            while offset + 32 <= count {
                mix(&lanes.0, word(offset))
                mix(&lanes.1, word(offset + 8))
                mix(&lanes.2, word(offset + 16))
                mix(&lanes.3, word(offset + 24))
                offset += 32
            }
            if offset < count {
                let last = count - 32
                mix(&lanes.0, word(last))
                mix(&lanes.1, word(last + 8))
                mix(&lanes.2, word(last + 16))
                mix(&lanes.3, word(last + 24))
            }
        } else if count >= 8 {
            // Words at 0, 8 and 16 where they fit, and the last eight bytes.
            mix(&lanes.0, word(0))
            mix(&lanes.1, word(min(8, count - 8)))
            mix(&lanes.2, word(min(16, count - 8)))
            mix(&lanes.3, word(count - 8))
        } else if count > 0 {
            var tail: UInt64 = 0
            for offset in 0..<count { tail |= UInt64(bytes[offset]) << (UInt64(offset) << 3) }
            mix(&lanes.0, tail)
        }
        var hash = lanes.0 ^ (lanes.1 << 16 | lanes.1 >> 48) ^ (lanes.2 << 32 | lanes.2 >> 32) ^ (lanes.3 << 48 | lanes.3 >> 16)
        hash = (hash ^ (hash >> 31)) &* 0xC4CE_B9FE_1A85_EC53
        return hash ^ (hash >> 29)
    }

    /// True if the first `first.count` bytes of `second` equal `first`: 32 bytes per step and
    /// one branch per step (a hit compares the whole value, so most steps are equal).
    @inline(__always)
    private static func equal(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer) -> Bool {
        let count = first.count
        @inline(__always) func differ(_ offset: Int) -> UInt64 {
            first.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                ^ second.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
        }
        guard count >= 8 else {
            for offset in 0..<count where first[offset] != second[offset] { return false }
            return true
        }
        var offset = 0
        while offset + 32 <= count {
            if differ(offset) | differ(offset + 8) | differ(offset + 16) | differ(offset + 24) != 0 { return false }
            offset += 32
        }
        while offset + 8 <= count {
            if differ(offset) != 0 { return false }
            offset += 8
        }
        // The last eight bytes, overlapping the last full word.
        return offset == count || differ(count - 8) == 0
    }
}
