/// Byte searches over raw buffers, eight bytes at a time (SWAR), for the per-line hot path.
///
/// The "has zero byte" test `(x - 0x01…01) & ~x & 0x80…80` may flag false positives only at
/// bytes *above* a true zero byte (through the borrow), so its lowest flag is always exact: on
/// a little-endian load that is `trailingZeroBitCount / 8`.
enum ByteScan {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    @inline(__always)
    private static func zeroByteFlags(_ x: UInt64) -> UInt64 {
        (x &- ones) & ~x & highs
    }

    @inline(__always)
    private static func load(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// First index of `target` in `bytes[from..<to]`, or `nil`.
    static func firstIndex(of target: UInt8, in bytes: UnsafeRawBufferPointer, from: Int, to: Int) -> Int? {
        var index = from
        let pattern = UInt64(target) &* ones
        while index &+ 8 <= to {
            let flags = zeroByteFlags(load(bytes, index) ^ pattern)
            if flags != 0 { return index &+ flags.trailingZeroBitCount >> 3 }
            index &+= 8
        }
        while index < to {
            if bytes[index] == target { return index }
            index &+= 1
        }
        return nil
    }

    /// First index of either `first` or `second` in `bytes[from..<to]`, or `nil`.
    static func firstIndex(
        of first: UInt8,
        or second: UInt8,
        in bytes: UnsafeRawBufferPointer,
        from: Int,
        to: Int
    ) -> Int? {
        var index = from
        let pattern1 = UInt64(first) &* ones
        let pattern2 = UInt64(second) &* ones
        while index &+ 8 <= to {
            let word = load(bytes, index)
            let flags = zeroByteFlags(word ^ pattern1) | zeroByteFlags(word ^ pattern2)
            if flags != 0 { return index &+ flags.trailingZeroBitCount >> 3 }
            index &+= 8
        }
        while index < to {
            let byte = bytes[index]
            if byte == first || byte == second { return index }
            index &+= 1
        }
        return nil
    }

    /// Whether `target` occurs in `bytes[range]`.
    @inline(__always)
    static func contains(_ target: UInt8, in bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        firstIndex(of: target, in: bytes, from: range.lowerBound, to: range.upperBound) != nil
    }

    /// First index where all of `needle` occurs in `bytes[from..<to]`, or `nil`. `needle` is
    /// not empty.
    static func firstIndex(
        of needle: UnsafeRawBufferPointer,
        in bytes: UnsafeRawBufferPointer,
        from: Int,
        to: Int
    ) -> Int? {
        let count = needle.count
        guard count > 0, let head = needle.first else { return nil }
        var index = from
        while to &- index >= count, let candidate = firstIndex(of: head, in: bytes, from: index, to: to &- count &+ 1) {
            if equal(needle, bytes, at: candidate) { return candidate }
            index = candidate &+ 1
        }
        return nil
    }

    /// Whether `bytes[at..<at + needle.count]` equals `needle`; the caller checked the bounds.
    @inline(__always)
    static func equal(_ needle: UnsafeRawBufferPointer, _ bytes: UnsafeRawBufferPointer, at: Int) -> Bool {
        var offset = 1  // callers have matched the first byte or check it here
        if bytes[at] != needle[0] { return false }
        while offset < needle.count {
            if bytes[at &+ offset] != needle[offset] { return false }
            offset &+= 1
        }
        return true
    }
}
