/// `RequestPrefilter`'s byte classes sixteen bytes at a time, for fields of eight bytes or more.
///
/// Why not the table: the table loop costs a load and an OR per byte and, for the short fields
/// of a request (paths of ~20 bytes, queries of a few), mostly its loop exits, which the
/// branch predictor cannot learn from field lengths that change every request. Here a field of
/// 8 to 16 bytes is one step with no loop, a longer one a few.
///
/// What it decides: a field whose bytes are all plain (`marks`) is clean unless it holds `..`
/// (or `--` in a query), which it checks across lanes and blocks; any other field goes to the
/// table. Clean traffic is almost all plain bytes, so the table is left for the few percent
/// of fields with `%`, quotes, `~`, UTF-8 and the like.
///
/// Swift 6.3 lowers `SIMD16<UInt8>` comparisons (`.==`, `.<`) to a loop over lanes, but its
/// wrapping additions and bitwise operations to single SSE2 instructions. So membership is
/// computed with additions only: for a byte's low seven bits `a`, `a &+ (0x80 - c)` has bit 7
/// set exactly when `a >= c` (no carry leaves the lane: both terms are below 0x80), and a byte
/// is in a set of ranges when it is at or above an odd number of the ranges' boundaries (the
/// XOR of those bits). Bytes of 0x80 and above are never plain (bit 7 of the byte itself).
///
/// Invariant (tested against `RequestPrefilter.isSuspiciousByTable` on every byte value and on
/// random fields of every length): `isSuspicious(field, as:)` equals the table's answer.
enum PrefilterLanes {
    typealias Lanes = SIMD16<UInt8>

    /// Bit 7 of each lane set where the lane is outside the field's plain set (so the table
    /// must decide), is a `.` or is a `-` (only for queries).
    struct Marks {
        var unplain: Lanes
        var dots: Lanes
        var dashes: Lanes
    }

    /// Bit 7 set in the lanes whose low seven bits are at least `bound` (1...0x80).
    @inline(__always)
    static func atLeast(_ low: Lanes, _ bound: UInt8) -> Lanes { low &+ Lanes(repeating: 0x80 &- bound) }

    /// The plain bytes of each field: letters, digits, `-`, `.`, `_`, and `/` outside queries,
    /// `&` and `=` in queries and referers, `:` and `?` in referers. None of them is in the
    /// table's set for that field, so a field of plain bytes only is suspicious exactly when it
    /// holds `..` (or, in a query, `--`). Anything else (set members, rarer harmless bytes
    /// like `~` or `,`, and every byte of 0x80 and above) sends the field to the table.
    @inline(__always)
    static func marks(_ bytes: Lanes, _ field: PrefilterField) -> Marks {
        let low = bytes & Lanes(repeating: 0x7F)
        let t2D = atLeast(low, 0x2D)
        let t2E = atLeast(low, 0x2E)
        let t2F = atLeast(low, 0x2F)
        // Letters, digits and `_`, with each field's punctuation; a plain set starts outside
        // (0x00 is not plain) and each boundary flips in or out of it.
        var plain = atLeast(low, 0x41) ^ atLeast(low, 0x5B) ^ atLeast(low, 0x5F) ^ atLeast(low, 0x60)
        plain ^= atLeast(low, 0x61) ^ atLeast(low, 0x7B)
        var dashes = Lanes()
        switch field {
        case .path:
            plain ^= t2D ^ atLeast(low, 0x3A)  // - . / 0-9
        case .query:
            plain ^= atLeast(low, 0x26) ^ atLeast(low, 0x27) ^ t2D ^ t2F  // & - .
            plain ^= atLeast(low, 0x30) ^ atLeast(low, 0x3A) ^ atLeast(low, 0x3D) ^ atLeast(low, 0x3E)  // 0-9 =
            dashes = t2D ^ t2E
        case .referer:
            plain ^= atLeast(low, 0x26) ^ atLeast(low, 0x27) ^ t2D ^ atLeast(low, 0x3B)  // & - . / 0-9 :
            plain ^= atLeast(low, 0x3D) ^ atLeast(low, 0x3E) ^ atLeast(low, 0x3F) ^ atLeast(low, 0x40)  // = ?
        }
        let ascii = ~bytes
        return Marks(unplain: ~plain | bytes, dots: (t2E ^ t2F) & ascii, dashes: dashes & ascii)
    }

    /// Bit 7 of each byte of the result set where lanes `i` and `i + 1` of `marked` are both
    /// marked, for the adjacent lane pairs that are adjacent bytes of the field: within each
    /// eight-lane half always, across the halves only when `halvesAdjoin`.
    @inline(__always)
    static func pairs(_ marked: Lanes, halvesAdjoin: Bool) -> UInt64 {
        let words = unsafeBitCast(marked & Lanes(repeating: 0x80), to: (UInt64, UInt64).self)
        var found = (words.0 & (words.0 >> 8)) | (words.1 & (words.1 >> 8))
        if halvesAdjoin { found |= (words.0 >> 56) & words.1 & 0x80 }
        return found
    }

    /// Whether `field` needs the detectors, by the table's rules. Meant for fields of 8 bytes or
    /// more; a shorter one is handed to the table (its words would start before the field),
    /// except an empty one, which has no byte to flag: most requests have no query, and the
    /// table's call and lazy-global check cost more than the answer.
    @inline(__always)
    static func isSuspicious(_ field: UnsafeRawBufferPointer, as kind: PrefilterField) -> Bool {
        let count = field.count
        guard count >= 8 else { return count > 0 && RequestPrefilter.isSuspiciousByTable(field, as: kind) }
        var unplain = Lanes()
        var found: UInt64 = 0
        if count < 16 {
            // The first and the last eight bytes (overlapping when fewer than 16): every
            // adjacent pair of the field lies within one of the two words.
            let first = field.loadUnaligned(as: UInt64.self)
            let last = field.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
            let bytes = unsafeBitCast((first, last), to: Lanes.self)
            let marks = marks(bytes, kind)
            unplain = marks.unplain
            found = pairs(marks.dots, halvesAdjoin: false)
            if kind == .query { found |= pairs(marks.dashes, halvesAdjoin: false) }
        } else {
            // Whole blocks, carrying each block's last lane into the next one's first; then the
            // last 16 bytes, overlapping the blocks (its pairs across the overlap are within
            // the blocks already).
            var offset = 0
            var lastDot: UInt64 = 0
            var lastDash: UInt64 = 0
            @inline(__always) func take(_ bytes: Lanes, carrying: Bool) {
                let marks = marks(bytes, kind)
                unplain |= marks.unplain
                found |= pairs(marks.dots, halvesAdjoin: true)
                let dots = unsafeBitCast(marks.dots, to: (UInt64, UInt64).self)
                if carrying { found |= lastDot & dots.0 }
                lastDot = dots.1 >> 56
                if kind == .query {
                    found |= pairs(marks.dashes, halvesAdjoin: true)
                    let dashes = unsafeBitCast(marks.dashes, to: (UInt64, UInt64).self)
                    if carrying { found |= lastDash & dashes.0 }
                    lastDash = dashes.1 >> 56
                }
            }
            while offset + 16 <= count {
                take(field.loadUnaligned(fromByteOffset: offset, as: Lanes.self), carrying: offset > 0)
                offset += 16
            }
            if offset < count {
                take(field.loadUnaligned(fromByteOffset: count - 16, as: Lanes.self), carrying: false)
            }
        }
        let unplainWords = unsafeBitCast(unplain, to: (UInt64, UInt64).self)
        let bit7: UInt64 = 0x8080_8080_8080_8080
        if (unplainWords.0 | unplainWords.1) & bit7 != 0 { return RequestPrefilter.isSuspiciousByTable(field, as: kind) }
        return found & bit7 != 0
    }
}

/// Which field a byte class is for: the sets differ (`&` is suspicious in a path but
/// separates a query's pairs; `/` and `:` are suspicious in a query value but make up a
/// referer).
enum PrefilterField {
    case path
    case query
    case referer
}
