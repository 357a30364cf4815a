/// nginx's three time texts turned into UTC microseconds since the Unix epoch, with our own
/// civil-date arithmetic (proleptic Gregorian calendar, no time-zone database needed: every
/// nginx time text carries its own offset or is already UTC).
///
/// - `$time_local`   `28/Nov/2026:18:19:42 +0530` (exactly 26 bytes)
/// - `$time_iso8601` `2026-11-28T18:19:42+05:30` (25 bytes; `Z` for `+00:00` also accepted)
/// - `$msec`         `1764353982.123` (seconds `.` milliseconds; 0–6 fraction digits accepted)
enum NginxTime {
    struct Instant: Equatable {
        var micros: Int64
        var utcOffsetMinutes: Int16
    }

    /// Days from 1970-01-01 to the given civil date, any year ≥ 0 (and far below `Int.max`).
    ///
    /// Counts in 400-year eras of 146 097 days starting on 0000-03-01, so the leap day is the
    /// last day of its "year" and month lengths follow the 153-day five-month pattern.
    ///
    /// Callers pass 4-digit years, so the arithmetic cannot overflow: it wraps instead of
    /// checking.
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int64 {
        let shiftedYear = Int64(month <= 2 ? year &- 1 : year)
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear &- 399) / 400
        let yearOfEra = shiftedYear &- era &* 400
        let monthFromMarch = Int64(month > 2 ? month &- 3 : month &+ 9)
        let dayOfYear = (153 &* monthFromMarch &+ 2) / 5 &+ Int64(day) &- 1
        let dayOfEra = yearOfEra &* 365 &+ yearOfEra / 4 &- yearOfEra / 100 &+ dayOfYear
        return era &* 146_097 &+ dayOfEra &- 719_468
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2:
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            return leap ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// `dd/Mon/yyyy:HH:MM:SS ±hhmm`.
    ///
    /// The 26 bytes are read as four little-endian words (bytes 0–7, 8–15, 16–23, 18–25; byte 0
    /// of each in its lowest lane), so the separators are checked and the 14 digits validated a
    /// word at a time (see `digitLanes`) instead of byte by byte.
    static func parseTimeLocal(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Instant? {
        guard range.count == 26 else { return nil }
        let s = range.lowerBound
        let w0 = word(bytes, s), w1 = word(bytes, s &+ 8), w2 = word(bytes, s &+ 16), w3 = word(bytes, s &+ 18)
        // `/` in lanes 2 and 6 of w0, `:` in lanes 3 and 6 of w1, `:` in lane 1 and ` ` in
        // lane 4 of w2.
        guard w0 & 0x00FF_0000_00FF_0000 == 0x002F_0000_002F_0000,
            w1 & 0x00FF_0000_FF00_0000 == 0x003A_0000_3A00_0000,
            w2 & 0x0000_00FF_0000_FF00 == 0x0000_0020_0000_3A00,
            // Digit lanes: dd…y (0, 1, 7), yyy:HH:M (0, 1, 2, 4, 5, 7), M:SS ±hh (0, 2, 3, 6, 7),
            // mm (6, 7 of the word at byte 18).
            let d0 = digitLanes(w0, 0xFF00_0000_0000_FFFF), let d1 = digitLanes(w1, 0xFF00_FFFF_00FF_FFFF),
            let d2 = digitLanes(w2, 0xFFFF_0000_FFFF_00FF), let d3 = digitLanes(w3, 0xFFFF_0000_0000_0000),
            let month = monthNumber(bytes, s &+ 3)
        else { return nil }
        let sign: Int
        switch lane(w2, 5) {
        case Int(UInt8(ascii: "+")): sign = 1
        case Int(UInt8(ascii: "-")): sign = -1
        default: return nil
        }
        let offsetHours = lane(d2, 6) &* 10 &+ lane(d2, 7)
        let offsetMinutes = lane(d3, 6) &* 10 &+ lane(d3, 7)
        guard offsetHours < 24, offsetMinutes < 60 else { return nil }
        let day = lane(d0, 0) &* 10 &+ lane(d0, 1)
        let year = lane(d0, 7) &* 1000 &+ lane(d1, 0) &* 100 &+ lane(d1, 1) &* 10 &+ lane(d1, 2)
        let hour = lane(d1, 4) &* 10 &+ lane(d1, 5)
        let minute = lane(d1, 7) &* 10 &+ lane(d2, 0)
        let second = lane(d2, 2) &* 10 &+ lane(d2, 3)
        return instant(year, month, day, hour, minute, second, sign &* (offsetHours &* 60 &+ offsetMinutes))
    }

    /// `yyyy-mm-ddTHH:MM:SS±hh:mm` or `...SSZ`.
    static func parseISO8601(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Instant? {
        guard range.count == 25 || range.count == 20 else { return nil }
        let s = range.lowerBound
        guard bytes[s &+ 4] == UInt8(ascii: "-"), bytes[s &+ 7] == UInt8(ascii: "-"),
            bytes[s &+ 10] == UInt8(ascii: "T"), bytes[s &+ 13] == UInt8(ascii: ":"),
            bytes[s &+ 16] == UInt8(ascii: ":"),
            let year = digits(bytes, s, 4), let month = digits(bytes, s &+ 5, 2),
            let day = digits(bytes, s &+ 8, 2), let hour = digits(bytes, s &+ 11, 2),
            let minute = digits(bytes, s &+ 14, 2), let second = digits(bytes, s &+ 17, 2)
        else { return nil }
        let offset: Int?
        if range.count == 20 {
            offset = bytes[s &+ 19] == UInt8(ascii: "Z") ? 0 : nil
        } else {
            offset = utcOffset(bytes, s &+ 19, colon: true)
        }
        guard let offset else { return nil }
        return instant(year, month, day, hour, minute, second, offset)
    }

    /// `seconds.millis`; up to 6 fraction digits are honoured, more are refused.
    static func parseMsec(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Instant? {
        guard let micros = DecimalText.parseMicros(bytes, range), micros <= UInt64(Int64.max) else { return nil }
        return Instant(micros: Int64(micros), utcOffsetMinutes: 0)
    }

    private static func instant(
        _ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int, _ second: Int, _ offsetMinutes: Int
    ) -> Instant? {
        guard (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month),
            hour < 24, minute < 60, second < 61
        else { return nil }
        // Every part is a validated 2- or 4-digit field (year ≤ 9999, |offset| < 24 h), so the
        // arithmetic below stays far inside `Int64`.
        let days = daysSinceEpoch(year: year, month: month, day: day)
        let localSeconds = days &* 86_400 &+ Int64(hour &* 3600 &+ minute &* 60 &+ second)
        let utcSeconds = localSeconds &- Int64(offsetMinutes) &* 60
        return Instant(micros: utcSeconds &* 1_000_000, utcOffsetMinutes: Int16(truncatingIfNeeded: offsetMinutes))
    }

    /// `±hhmm` (or `±hh:mm` with `colon`) as signed minutes east of UTC.
    @inline(__always)
    private static func utcOffset(_ bytes: UnsafeRawBufferPointer, _ start: Int, colon: Bool) -> Int? {
        let sign: Int
        switch bytes[start] {
        case UInt8(ascii: "+"): sign = 1
        case UInt8(ascii: "-"): sign = -1
        default: return nil
        }
        if colon, bytes[start + 3] != UInt8(ascii: ":") { return nil }
        guard let hours = digits(bytes, start &+ 1, 2), let minutes = digits(bytes, start &+ (colon ? 4 : 3), 2),
            hours < 24, minutes < 60
        else { return nil }
        return sign &* (hours &* 60 &+ minutes)
    }

    /// `count` (2 or 4) decimal digits at `bytes[start...]`; inlined so the loop unrolls for the
    /// constant counts of the fixed-width fields.
    @inline(__always)
    private static func digits(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ count: Int) -> Int? {
        var value = 0
        for index in start..<(start &+ count) {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            value = value &* 10 &+ Int(digit)
        }
        return value
    }

    /// Eight bytes at `bytes[offset...]` as a little-endian word; the caller checked the bounds.
    @inline(__always)
    private static func word(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// Lane `index` (byte `index` of a little-endian word) as an `Int`.
    @inline(__always)
    private static func lane(_ word: UInt64, _ index: Int) -> Int {
        Int(truncatingIfNeeded: (word &>> UInt64(truncatingIfNeeded: index &* 8)) & 0xFF)
    }

    /// The digit values 0–9 in the lanes of `word` that `mask` selects (0xFF lanes), or `nil`
    /// when one of those lanes is not an ASCII digit; other lanes come out 0.
    ///
    /// Unselected lanes are replaced by `0` first, so every lane is tested the same way (high
    /// nibble 3, and still 3 after adding 6, which rejects `:`–`?`) and the final subtraction
    /// borrows nowhere. Adding 6 carries out of a lane only from ≥ 0xFA, which already failed
    /// the first test.
    @inline(__always)
    private static func digitLanes(_ word: UInt64, _ mask: UInt64) -> UInt64? {
        let zeros: UInt64 = 0x3030_3030_3030_3030
        let highNibbles: UInt64 = 0xF0F0_F0F0_F0F0_F0F0
        let text = (word & mask) | (zeros & ~mask)
        guard text & highNibbles == zeros, (text &+ 0x0606_0606_0606_0606) & highNibbles == zeros else { return nil }
        return text &- zeros
    }

    /// `Jan`...`Dec` (nginx writes English abbreviations whatever the locale).
    @inline(__always)
    private static func monthNumber(_ bytes: UnsafeRawBufferPointer, _ start: Int) -> Int? {
        let key = UInt32(bytes[start]) << 16 | UInt32(bytes[start + 1]) << 8 | UInt32(bytes[start + 2])
        @inline(__always) func code(_ a: Unicode.Scalar, _ b: Unicode.Scalar, _ c: Unicode.Scalar) -> UInt32 {
            UInt32(UInt8(ascii: a)) << 16 | UInt32(UInt8(ascii: b)) << 8 | UInt32(UInt8(ascii: c))
        }
        switch key {
        case code("J", "a", "n"): return 1
        case code("F", "e", "b"): return 2
        case code("M", "a", "r"): return 3
        case code("A", "p", "r"): return 4
        case code("M", "a", "y"): return 5
        case code("J", "u", "n"): return 6
        case code("J", "u", "l"): return 7
        case code("A", "u", "g"): return 8
        case code("S", "e", "p"): return 9
        case code("O", "c", "t"): return 10
        case code("N", "o", "v"): return 11
        case code("D", "e", "c"): return 12
        default: return nil
        }
    }
}
