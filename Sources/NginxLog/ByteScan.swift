/// Byte searches over raw buffers, eight bytes at a time (SWAR), for the per-line hot path.
///
/// The "has zero byte" test `(x - 0x01…01) & ~x & 0x80…80` may flag false positives only at
/// bytes *above* a true zero byte (through the borrow), so its lowest flag is always exact: on
/// a little-endian load that is `trailingZeroBitCount / 8`.
///
/// Over-reading: the values searched are short (an address, a status, a number: 3–15 bytes),
/// so a search that stopped loading words at its own end `to` would mostly run the byte-at-a-
/// time tail. Instead every search loads whole words as long as they lie inside `bytes` (the
/// caller's whole buffer, of which `from..<to` is a part), and ignores what it finds at or past
/// `to`. Only a word that would cross `bytes.count` is not loaded: the last eight bytes of the
/// buffer are loaded instead and shifted so that lane 0 is the byte wanted, which needs no tail
/// loop at all unless the whole buffer is shorter than eight bytes. Every load therefore stays
/// within `bytes`, whatever `to` is.
enum ByteScan {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080
    private static let lows: UInt64 = 0x7F7F_7F7F_7F7F_7F7F

    @inline(__always)
    private static func zeroByteFlags(_ x: UInt64) -> UInt64 {
        (x &- ones) & ~x & highs
    }

    /// 0x80 in exactly the lanes of `x` that are zero (no false positives, unlike
    /// `zeroByteFlags`), for searches that need the highest match.
    @inline(__always)
    private static func exactZeroByteFlags(_ x: UInt64) -> UInt64 {
        ~(((x & lows) &+ lows) | x | lows)
    }

    @inline(__always)
    private static func load(_ base: UnsafeRawPointer, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    @inline(__always)
    private static func load(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// Bytes `index...` (up to eight, zero-filled past the buffer's end) with `bytes[index]` in
    /// lane 0, for an `index` whose word would cross the buffer's end.
    ///
    /// - Returns: `nil` when the buffer is shorter than a word (the caller goes byte by byte).
    @inline(__always)
    private static func lastWord(_ bytes: UnsafeRawBufferPointer, from index: Int) -> UInt64? {
        guard bytes.count >= 8 else { return nil }
        let base = bytes.count &- 8
        // `bytes.count - 8 < index < bytes.count`, so the shift is 8...56 bits.
        return load(bytes, base) >> (UInt64(truncatingIfNeeded: index &- base) &<< 3)
    }

    /// First index of `target` in `bytes[from..<to]`, or `nil`. Loads may read past `to`,
    /// never past `bytes.count`.
    @inline(__always)
    static func firstIndex(of target: UInt8, in bytes: UnsafeRawBufferPointer, from: Int, to: Int) -> Int? {
        guard let base = bytes.baseAddress else { return nil }  // an empty buffer holds nothing
        let pattern = UInt64(target) &* ones
        var index = from
        // `index < wordEnd` means the word at `index` is inside the buffer.
        let wordEnd = Swift.min(to, bytes.count &- 7)
        while index < wordEnd {
            let flags = zeroByteFlags(load(base, index) ^ pattern)
            if flags != 0 {
                let found = index &+ flags.trailingZeroBitCount &>> 3
                return found < to ? found : nil
            }
            index &+= 8
        }
        guard index < to else { return nil }
        if let word = lastWord(bytes, from: index) {
            // Lanes past the buffer's end are zero and may match a zero `target`, but they lie
            // past `to`, so the check below drops them.
            let flags = zeroByteFlags(word ^ pattern)
            guard flags != 0 else { return nil }
            let found = index &+ flags.trailingZeroBitCount &>> 3
            return found < to ? found : nil
        }
        while index < to {
            if bytes[index] == target { return index }
            index &+= 1
        }
        return nil
    }

    /// `firstIndex(of:in:from:to:)` for searches that usually run far (a line's `\n`): two
    /// words per step, fewer branches per byte. Kept apart so the short searches inlined into
    /// the parser stay small.
    static func firstIndexInLongRun(of target: UInt8, in bytes: UnsafeRawBufferPointer, from: Int, to: Int) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        let pattern = UInt64(target) &* ones
        var index = from
        // `index + 8 < pairEnd` means both words at `index` lie inside the buffer.
        let pairEnd = Swift.min(to, bytes.count &- 7)
        while index &+ 8 < pairEnd {
            let low = zeroByteFlags(load(base, index) ^ pattern)
            let high = zeroByteFlags(load(base, index &+ 8) ^ pattern)
            if low | high != 0 {
                // `low`'s lowest flag is exact; when `low` is 0, `high`'s is.
                let bit = low != 0 ? low.trailingZeroBitCount : 64 &+ high.trailingZeroBitCount
                let found = index &+ bit &>> 3
                return found < to ? found : nil
            }
            index &+= 16
        }
        return firstIndex(of: target, in: bytes, from: index, to: to)
    }

    /// First index of either `first` or `second` in `bytes[from..<to]`, or `nil`. Loads may read
    /// past `to`, never past `bytes.count`.
    @inline(__always)
    static func firstIndex(
        of first: UInt8,
        or second: UInt8,
        in bytes: UnsafeRawBufferPointer,
        from: Int,
        to: Int
    ) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        let pattern1 = UInt64(first) &* ones
        let pattern2 = UInt64(second) &* ones
        var index = from
        let wordEnd = Swift.min(to, bytes.count &- 7)
        while index < wordEnd {
            let word = load(base, index)
            let flags = zeroByteFlags(word ^ pattern1) | zeroByteFlags(word ^ pattern2)
            if flags != 0 {
                let found = index &+ flags.trailingZeroBitCount &>> 3
                return found < to ? found : nil
            }
            index &+= 8
        }
        guard index < to else { return nil }
        if let word = lastWord(bytes, from: index) {
            let flags = zeroByteFlags(word ^ pattern1) | zeroByteFlags(word ^ pattern2)
            guard flags != 0 else { return nil }
            let found = index &+ flags.trailingZeroBitCount &>> 3
            return found < to ? found : nil
        }
        while index < to {
            let byte = bytes[index]
            if byte == first || byte == second { return index }
            index &+= 1
        }
        return nil
    }

    /// Last index of `target` in `bytes[from..<to]`, or `nil`. Reads only `bytes[from..<to]`
    /// words that start at or after `from`, and bytes one by one when fewer than eight remain.
    @inline(__always)
    static func lastIndex(of target: UInt8, in bytes: UnsafeRawBufferPointer, from: Int, to: Int) -> Int? {
        var end = to
        let pattern = UInt64(target) &* ones
        while end &- from >= 8 {
            let flags = exactZeroByteFlags(load(bytes, end &- 8) ^ pattern)
            if flags != 0 { return end &- 1 &- flags.leadingZeroBitCount &>> 3 }
            end &-= 8
        }
        while end > from {
            end &-= 1
            if bytes[end] == target { return end }
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
