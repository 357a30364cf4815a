/// Unsigned decimal numbers as nginx prints them, parsed straight from bytes with overflow
/// checks (a hostile line can hold any number of digits).
enum DecimalText {
    private static let zeros: UInt64 = 0x3030_3030_3030_3030

    /// `[0-9]+` → value; `nil` for empty, non-digits or overflow.
    ///
    /// Five to eight digits (most byte counts nginx writes) are read as one word ending at the
    /// last digit, when the buffer has eight bytes up to there. Up to 19 digits cannot overflow (10¹⁹ − 1 < 2⁶⁴), so only longer texts pay
    /// for overflow checks.
    @inline(__always)
    static func parseUInt64(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> UInt64? {
        let count = range.count
        guard count > 0 else { return nil }
        if count > 4, count <= 8, range.upperBound >= 8 {
            return eightDigits(bytes, endingAt: range.upperBound, count: count)
        }
        // Up to four digits (statuses, small sizes) a plain loop is cheaper than the word.
        if count <= 19 {
            var value: UInt64 = 0
            for index in range {
                let digit = bytes[index] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                value = value &* 10 &+ UInt64(digit)
            }
            return value
        }
        return parseLong(bytes, range)
    }

    /// The `count` (1–8) digits `bytes[end - count..<end]` as one word; `nil` when one is not a
    /// digit. Reads `bytes[end - 8..<end]`, so `end >= 8`.
    ///
    /// The word is little-endian, so the first digit is in lane `8 - count` and the last in lane
    /// 7; lanes before the number are replaced by `0` digits, which do not change the value and
    /// let the digit test and the lane-pair sums below run on the whole word.
    @inline(__always)
    private static func eightDigits(_ bytes: UnsafeRawBufferPointer, endingAt end: Int, count: Int) -> UInt64? {
        digits(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: end &- 8, as: UInt64.self)), count: count)
    }

    /// The number in the last `count` (1–8) lanes of `word` (lanes `8 - count` to 7, first
    /// digit lowest), or `nil` when one of them is not a digit; the other lanes are ignored.
    @inline(__always)
    private static func digits(_ word: UInt64, count: Int) -> UInt64? {
        // `count` is 1...8, so the shift is 0...56.
        let keep = ~UInt64(0) &<< (UInt64(truncatingIfNeeded: 8 &- count) &<< 3)
        let text = (word & keep) | (zeros & ~keep)
        // Each lane is a digit when its high nibble is 3 and adding 6 keeps it 3 (0x3A–0x3F
        // become 0x40–0x45). Adding 6 carries into the next lane only from lanes ≥ 0xFA, which
        // already fail the first test.
        let highNibbles: UInt64 = 0xF0F0_F0F0_F0F0_F0F0
        guard text & highNibbles == zeros, (text &+ 0x0606_0606_0606_0606) & highNibbles == zeros else {
            return nil
        }
        // Lanes now hold 0...9, first digit lowest: combine neighbours into 2-, 4-, 8-digit lanes.
        var value = text &- zeros
        value = (value &* 10 &+ (value &>> 8)) & 0x00FF_00FF_00FF_00FF
        value = (value &* 100 &+ (value &>> 16)) & 0x0000_FFFF_0000_FFFF
        value = (value &* 10_000 &+ (value &>> 32)) & 0x0000_0000_FFFF_FFFF
        return value
    }

    /// More than 19 digits: only leading zeros keep such a number within `UInt64`.
    private static func parseLong(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> UInt64? {
        var value: UInt64 = 0
        for index in range {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(digit))
            guard !overflow1, !overflow2 else { return nil }
            value = sum
        }
        return value
    }

    /// Seconds with an optional fraction of 1–6 digits (`0.123`, `12`, `1764353982.123`) →
    /// microseconds; `nil` for anything else or overflow.
    ///
    /// nginx writes durations as seconds and three fraction digits (`%T.%03M`): with one to
    /// four seconds digits, the text is read as one word ending at its last byte, when the
    /// buffer has eight bytes up to there. The `.` is taken out by moving the lanes before it
    /// up by one, which leaves `seconds * 1000 + millis` as a number of `count - 1` digits.
    /// A text with a `.` there but a non-digit elsewhere fails either way (`parseMicrosText`
    /// wants digits up to the first `.` and only digits after it), so the word's digit test
    /// gives the same answer.
    @inline(__always)
    static func parseMicros(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> UInt64? {
        let count = range.count
        if count >= 5, count <= 8, range.upperBound >= 8 {
            let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: range.upperBound &- 8, as: UInt64.self))
            // Lane 4 is the byte three before the last.
            if (word &>> 32) & 0xFF == UInt64(UInt8(ascii: ".")) {
                let millisText = (word & 0xFFFF_FF00_0000_0000) | ((word & 0xFFFF_FFFF) &<< 8)
                return digits(millisText, count: count &- 1).map { $0 &* 1_000 }
            }
        }
        return parseMicrosText(bytes, range)
    }

    /// `parseMicros` byte by byte.
    ///
    /// One pass: the seconds are the digits up to the first non-digit, which must be the end or
    /// the (first) `.`. At most 19 bytes hold at most 19 seconds digits, which cannot overflow.
    static func parseMicrosText(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> UInt64? {
        let end = range.upperBound
        guard range.count <= 19 else { return parseLongMicros(bytes, range) }
        var index = range.lowerBound
        var seconds: UInt64 = 0
        while index < end {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { break }
            seconds = seconds &* 10 &+ UInt64(digit)
            index &+= 1
        }
        guard index > range.lowerBound else { return nil }
        var fraction: UInt64 = 0
        if index < end {
            guard bytes[index] == UInt8(ascii: "."), (1...6).contains(end &- index &- 1) else { return nil }
            let digits = end &- index &- 1
            index &+= 1
            while index < end {
                let digit = bytes[index] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                fraction = fraction &* 10 &+ UInt64(digit)
                index &+= 1
            }
            fraction = fraction &* microsPerUnit(ofFractionDigits: digits)
        }
        let (scaled, overflow1) = seconds.multipliedReportingOverflow(by: 1_000_000)
        let (total, overflow2) = scaled.addingReportingOverflow(fraction)
        guard !overflow1, !overflow2 else { return nil }
        return total
    }

    /// `parseMicros` for texts over 19 bytes, where the seconds may overflow.
    private static func parseLongMicros(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> UInt64? {
        let dot = ByteScan.firstIndex(of: UInt8(ascii: "."), in: bytes, from: range.lowerBound, to: range.upperBound)
            ?? range.upperBound
        guard let seconds = parseUInt64(bytes, range.lowerBound..<dot) else { return nil }
        var fraction: UInt64 = 0
        if dot < range.upperBound {
            let fractionRange = (dot + 1)..<range.upperBound
            guard (1...6).contains(fractionRange.count), let digits = parseUInt64(bytes, fractionRange) else {
                return nil
            }
            fraction = digits &* microsPerUnit(ofFractionDigits: fractionRange.count)
        }
        let (scaled, overflow1) = seconds.multipliedReportingOverflow(by: 1_000_000)
        let (total, overflow2) = scaled.addingReportingOverflow(fraction)
        guard !overflow1, !overflow2 else { return nil }
        return total
    }

    /// 10^(6 − digits): what one unit of a `digits`-long fraction of a second is in µs.
    @inline(__always)
    private static func microsPerUnit(ofFractionDigits digits: Int) -> UInt64 {
        switch digits {
        case 1: 100_000
        case 2: 10_000
        case 3: 1_000
        case 4: 100
        case 5: 10
        default: 1
        }
    }
}
