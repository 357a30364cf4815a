/// Byte searches over raw buffers for the per-line hot path: sixteen bytes at a time with
/// `SIMD16` compares (one `pcmpeqb` + `pmovmskb` on x86-64), then eight at a time (SWAR) where
/// fewer than sixteen bytes of buffer remain.
///
/// The "has zero byte" test `(x - 0x01…01) & ~x & 0x80…80` may flag false positives only at
/// bytes *above* a true zero byte (through the borrow), so its lowest flag is always exact: on
/// a little-endian load that is `trailingZeroBitCount / 8`. Vector compares are exact.
///
/// Over-reading: the values searched are short (an address, a status, a number: 3–15 bytes),
/// so a search that stopped loading at its own end `to` would mostly run a byte-at-a-time
/// tail. Instead every search loads whole vectors and words as long as they lie inside `bytes`
/// (the caller's whole buffer, of which `from..<to` is a part), and ignores what it finds at or
/// past `to`. Only a word that would cross `bytes.count` is not loaded: the last eight bytes of
/// the buffer are loaded instead and shifted so that lane 0 is the byte wanted, which needs no
/// tail loop at all unless the whole buffer is shorter than eight bytes. Every load therefore
/// stays within `bytes`, whatever `to` is.
///
/// The searches the parser calls per field are `@_transparent`: its matching loop is larger
/// than the optimizer's size limit for inlining into a caller, past which `@inline(__always)`
/// is not honoured (measured), and a call per field cost more than the search itself.
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

    /// Index of the first set lane of a vector compare result, or `nil` when none is set.
    ///
    /// The mask is widened to bytes (0xFF / 0x00) and read as two little-endian words, so lane
    /// `n` is byte `n`. (The standard `any(_:)` is a generic reduction that the optimizer does
    /// not always inline into the parser; these are plain word operations.)
    @inline(__always)
    private static func firstLane(_ hits: SIMDMask<SIMD16<Int8>>) -> Int? {
        let halves = unsafeBitCast(SIMD16<UInt8>(repeating: 0).replacing(with: 0xFF, where: hits), to: SIMD2<UInt64>.self)
        let low = UInt64(littleEndian: halves[0])
        let high = UInt64(littleEndian: halves[1])
        guard low | high != 0 else { return nil }
        return low != 0 ? low.trailingZeroBitCount &>> 3 : 8 &+ high.trailingZeroBitCount &>> 3
    }

    /// Sixteen bytes at `base + offset`; the caller checked that they lie inside the buffer.
    @inline(__always)
    private static func vector(_ base: UnsafeRawPointer, _ offset: Int) -> SIMD16<UInt8> {
        base.loadUnaligned(fromByteOffset: offset, as: SIMD16<UInt8>.self)
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
    @_transparent
    static func firstIndex(of target: UInt8, in bytes: UnsafeRawBufferPointer, from: Int, to: Int) -> Int? {
        guard let base = bytes.baseAddress else { return nil }  // an empty buffer holds nothing
        var index = from
        // `index < vectorEnd` means the sixteen bytes at `index` are inside the buffer.
        let vectorEnd = Swift.min(to, bytes.count &- 15)
        if index < vectorEnd {
            let targets = SIMD16<UInt8>(repeating: target)
            repeat {
                if let lane = firstLane(vector(base, index) .== targets) {
                    let found = index &+ lane
                    return found < to ? found : nil
                }
                index &+= 16
            } while index < vectorEnd
        }
        let pattern = UInt64(target) &* ones
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

    /// `firstIndex(of:in:from:to:)` for a byte expected far from `from` (a line's `\n`, some
    /// 200 bytes on): 64 bytes per step, one test for four vectors, until a step holds the
    /// byte; the plain search then finds its lane (from that step on) and handles the rest.
    /// The parser's own values are short, so they keep the 16-byte first step.
    @inline(__always)
    static func firstIndex(ofDistant target: UInt8, in bytes: UnsafeRawBufferPointer, from: Int, to: Int) -> Int? {
        var index = from
        // `index < blockEnd` means the 64 bytes at `index` are inside the buffer.
        if let base = bytes.baseAddress {
            let blockEnd = Swift.min(to, bytes.count &- 63)
            let targets = SIMD16<UInt8>(repeating: target)
            while index < blockEnd {
                let hits = (vector(base, index) .== targets) .| (vector(base, index &+ 16) .== targets)
                    .| (vector(base, index &+ 32) .== targets) .| (vector(base, index &+ 48) .== targets)
                if anyLane(hits) { break }
                index &+= 64
            }
        }
        return firstIndex(of: target, in: bytes, from: index, to: to)
    }

    /// Whether any lane of a vector compare result is set.
    @inline(__always)
    private static func anyLane(_ hits: SIMDMask<SIMD16<Int8>>) -> Bool {
        let halves = unsafeBitCast(SIMD16<UInt8>(repeating: 0).replacing(with: 0xFF, where: hits), to: SIMD2<UInt64>.self)
        return halves[0] | halves[1] != 0
    }

    /// First index of either `first` or `second` in `bytes[from..<to]`, or `nil`. Loads may read
    /// past `to`, never past `bytes.count`.
    @_transparent
    static func firstIndex(
        of first: UInt8,
        or second: UInt8,
        in bytes: UnsafeRawBufferPointer,
        from: Int,
        to: Int
    ) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        var index = from
        let vectorEnd = Swift.min(to, bytes.count &- 15)
        if index < vectorEnd {
            let firsts = SIMD16<UInt8>(repeating: first)
            let seconds = SIMD16<UInt8>(repeating: second)
            repeat {
                let bytes16 = vector(base, index)
                if let lane = firstLane((bytes16 .== firsts) .| (bytes16 .== seconds)) {
                    let found = index &+ lane
                    return found < to ? found : nil
                }
                index &+= 16
            } while index < vectorEnd
        }
        let pattern1 = UInt64(first) &* ones
        let pattern2 = UInt64(second) &* ones
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
    @_transparent
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
