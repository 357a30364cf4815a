/// An open-addressing map from a pair (`Int64`, `Int32`) — (minute, site id) or (edge id,
/// file id) — to a dense row number, for the per-shard pending state.
///
/// Linear probing over a power-of-two table kept at most half full. Row numbers are handed out
/// in insertion order (`0..<count`), so the caller keeps the rows themselves in flat arrays.
/// A hit reads only; nothing is allocated except when the table grows. `removeAll` keeps the
/// capacity, so a steady stream reaches a fixed size and stops allocating.
struct PairTable {
    struct Slot {
        var first: Int64
        var second: Int32
        /// -1 marks an empty slot.
        var row: Int32

        static let empty = Slot(first: 0, second: 0, row: -1)
    }

    private var slots: [Slot]
    private var mask: Int
    private(set) var count = 0

    init(initialCapacity: Int = 256) {
        var size = 16
        while size < initialCapacity * 2 { size <<= 1 }
        slots = Array(repeating: .empty, count: size)
        mask = size - 1
    }

    /// The row of (`first`, `second`), adding it as row `count` when absent.
    @inline(__always)
    mutating func row(_ first: Int64, _ second: Int32) -> (row: Int, inserted: Bool) {
        var index = Self.slotIndex(first, second, mask)
        let found: Int32 = slots.withUnsafeBufferPointer { slots in
            while true {
                let slot = slots[index]
                if slot.row < 0 { return -1 }
                if slot.first == first && slot.second == second { return slot.row }
                index = (index &+ 1) & mask
            }
        }
        if found >= 0 { return (Int(found), false) }
        if (count + 1) * 2 > slots.count {
            grow()
            index = Self.slotIndex(first, second, mask)
            while slots[index].row >= 0 { index = (index &+ 1) & mask }
        }
        let row = count
        slots[index] = Slot(first: first, second: second, row: Int32(row))
        count += 1
        return (row, true)
    }

    /// Forgets every pair, keeping the table's size.
    mutating func removeAll() {
        guard count > 0 else { return }
        slots.withUnsafeMutableBufferPointer { slots in
            for index in slots.indices { slots[index] = .empty }
        }
        count = 0
    }

    @inline(__always)
    private static func slotIndex(_ first: Int64, _ second: Int32, _ mask: Int) -> Int {
        var hash = UInt64(bitPattern: first) &* 0x9E37_79B9_7F4A_7C15
        hash ^= UInt64(UInt32(bitPattern: second)) &* 0xC2B2_AE3D_27D4_EB4F
        hash ^= hash >> 29
        return Int(truncatingIfNeeded: hash) & mask
    }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: .empty, count: old.count * 2)
        mask = slots.count - 1
        for slot in old where slot.row >= 0 {
            var index = Self.slotIndex(slot.first, slot.second, mask)
            while slots[index].row >= 0 { index = (index &+ 1) & mask }
            slots[index] = slot
        }
    }
}
