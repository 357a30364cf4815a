/// The last minute of `$time_local` text that parsed, so that the next lines of a log (which
/// nearly always share the date, hour, minute and offset) only read their seconds.
///
/// `dd/Mon/yyyy:HH:MM:SS ±hhmm` is 26 bytes, read as little-endian words at bytes 0, 8, 16 and
/// 18 (as `NginxTime.parseTimeLocal` reads them). The key is every byte but the seconds
/// (18–19): bytes 0–7, bytes 8–15, and bytes 16–17 and 20–25 packed into one word.
///
/// Invariant: the entry is always correct, i.e. for every two seconds bytes `SS`, the key's
/// text with `SS` inserted parses, with `NginxTime.parseTimeLocal`, to `minuteMicros + SS s`
/// and `utcOffsetMinutes` when `SS` is `00`–`60`, and fails otherwise. It holds because the
/// full parse validates the seconds independently of the other fields (two digits, below 61),
/// and the entry is only ever replaced by the result of a successful full parse. The initial
/// entry is 1970-01-01 00:00 UTC, which satisfies it too. So a hit and a miss give the same
/// result, and the cache can be kept across lines, formats and parsers (it is never reset).
struct TimeLocalCache: Sendable {
    // The entry (readable for tests). Initially `01/Jan/1970:00:00:SS +0000`, whose minute
    // starts at the epoch, as constants: `ParsedLine.reset` builds a `ParsedLine` per line.
    private(set) var key0: UInt64 = 0x312F_6E61_4A2F_3130  // `01/Jan/1`
    private(set) var key1: UInt64 = 0x303A_3030_3A30_3739  // `970:00:0`
    private(set) var key2: UInt64 = 0x3030_3030_2B20_3A30  // `0:` and ` +0000`
    /// UTC microseconds at second 0 of the key's minute.
    private(set) var minuteMicros: Int64 = 0
    private(set) var utcOffsetMinutes: Int16 = 0

    /// `NginxTime.parseTimeLocal(bytes, range)`, reading only the seconds when the rest of
    /// the text is the cached minute's.
    @inline(__always)
    mutating func parse(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> NginxTime.Instant? {
        guard range.count == 26 else { return nil }
        let (k0, k1, k2) = Self.key(bytes, range.lowerBound)
        guard (k0 ^ key0) | (k1 ^ key1) | (k2 ^ key2) == 0 else { return parseMinute(bytes, range) }
        // The same test as the full parse's for the seconds: two ASCII digits, below 61.
        let seconds = UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: range.lowerBound &+ 18, as: UInt16.self))
        let tens = UInt8(truncatingIfNeeded: seconds) &- UInt8(ascii: "0")
        let ones = UInt8(truncatingIfNeeded: seconds &>> 8) &- UInt8(ascii: "0")
        guard tens < 10, ones < 10 else { return nil }
        let second = Int64(tens) &* 10 &+ Int64(ones)
        guard second < 61 else { return nil }
        return NginxTime.Instant(micros: minuteMicros &+ second &* 1_000_000, utcOffsetMinutes: utcOffsetMinutes)
    }

    /// A text of another minute (or offset): parsed in full, and cached when valid.
    @inline(never)
    private mutating func parseMinute(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> NginxTime.Instant? {
        guard let instant = NginxTime.parseTimeLocal(bytes, range) else { return nil }
        // The full parse checked that bytes 18 and 19 are digits.
        let s = range.lowerBound
        let second = Int64(bytes[s &+ 18] &- UInt8(ascii: "0")) &* 10 &+ Int64(bytes[s &+ 19] &- UInt8(ascii: "0"))
        (key0, key1, key2) = Self.key(bytes, s)
        minuteMicros = instant.micros &- second &* 1_000_000
        utcOffsetMinutes = instant.utcOffsetMinutes
        return instant
    }

    /// The key of the 26 bytes at `bytes[start...]`: the words at 0 and 8, and bytes 16–17
    /// (lanes 0–1 of the word at 16) with bytes 20–25 (lanes 2–7 of the word at 18).
    @inline(__always)
    static func key(_ bytes: UnsafeRawBufferPointer, _ start: Int) -> (UInt64, UInt64, UInt64) {
        @inline(__always) func word(_ offset: Int) -> UInt64 {
            UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: start &+ offset, as: UInt64.self))
        }
        return (word(0), word(8), (word(16) & 0xFFFF) | (word(18) & 0xFFFF_FFFF_FFFF_0000))
    }
}
