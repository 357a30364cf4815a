/// Unsigned decimal numbers as nginx prints them, parsed straight from bytes with overflow
/// checks (a hostile line can hold any number of digits).
enum DecimalText {
    /// `[0-9]+` → value; `nil` for empty, non-digits or overflow.
    static func parseUInt64(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> UInt64? {
        guard !range.isEmpty else { return nil }
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
    static func parseMicros(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> UInt64? {
        var dot = range.upperBound
        for index in range where bytes[index] == UInt8(ascii: ".") {
            dot = index
            break
        }
        guard let seconds = parseUInt64(bytes, range.lowerBound..<dot) else { return nil }
        var fraction: UInt64 = 0
        if dot < range.upperBound {
            let fractionRange = (dot + 1)..<range.upperBound
            guard (1...6).contains(fractionRange.count), let digits = parseUInt64(bytes, fractionRange) else {
                return nil
            }
            fraction = digits
            for _ in fractionRange.count..<6 {
                fraction *= 10
            }
        }
        let (scaled, overflow1) = seconds.multipliedReportingOverflow(by: 1_000_000)
        let (total, overflow2) = scaled.addingReportingOverflow(fraction)
        guard !overflow1, !overflow2 else { return nil }
        return total
    }
}
