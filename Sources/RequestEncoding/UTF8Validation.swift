/// UTF-8 checks for Cap'n Proto Text, without creating a `String`.
///
/// "Record text" here means what a third-party Cap'n Proto reader can take as Text: well-formed
/// UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF) and no NUL byte.
/// NUL is refused although it is valid UTF-8: Text is NUL-terminated on the wire, and C and C++
/// readers that treat it as a C string would silently cut the value at the first NUL.
enum UTF8Validation {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// Whether every byte is in `0x01...0x7F`: the common case of an access-log value, checked
    /// eight bytes at a time.
    ///
    /// Per byte `b` of a word `x`, `(x - 0x01…01) | x` has its high bit set when `b >= 0x80`
    /// (from `x`) or `b == 0` (`0 - 1` is `0xFF`); bytes `0x01...0x7F` below the lowest such byte
    /// borrow nothing, so the test has no false negatives, and any flagged byte means "not plain".
    @inline(__always)
    static func isPlainASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let count = bytes.count
        var index = 0
        var flags: UInt64 = 0
        while index &+ 8 <= count {
            let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            flags |= ((word &- ones) | word) & highs
            index &+= 8
        }
        if index < count, count >= 8 {
            // The tail as the last whole word, overlapping bytes already checked.
            let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self))
            flags |= ((word &- ones) | word) & highs
            index = count
        }
        if flags != 0 { return false }
        while index < count {
            let byte = bytes[index]
            if byte == 0 || byte >= 0x80 { return false }
            index &+= 1
        }
        return true
    }

    /// Whether `bytes` is record text: well-formed UTF-8 without NUL.
    static func isRecordText(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let count = bytes.count
        var index = 0
        while index < count {
            // Skip plain ASCII eight bytes at a time (see `isPlainASCII`), then one sequence.
            if index &+ 8 <= count {
                let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                if ((word &- ones) | word) & highs == 0 {
                    index &+= 8
                    continue
                }
            }
            let length = sequenceLength(bytes, at: index)
            if length == 0 { return false }
            index &+= length
        }
        return true
    }

    /// Length (1–4) of the well-formed, non-NUL UTF-8 sequence starting at `bytes[index]`, or 0
    /// when none starts there. The caller guarantees `index < bytes.count`.
    ///
    /// Ranges of the second byte follow RFC 3629 §4 (the table that excludes overlong forms,
    /// surrogates `ED A0…BF`, and code points above U+10FFFF).
    static func sequenceLength(_ bytes: UnsafeRawBufferPointer, at index: Int) -> Int {
        let lead = bytes[index]
        switch lead {
        case 0x01...0x7F:
            return 1
        case 0xC2...0xDF:
            return continues(bytes, index, count: 1, secondLow: 0x80, secondHigh: 0xBF) ? 2 : 0
        case 0xE0:
            return continues(bytes, index, count: 2, secondLow: 0xA0, secondHigh: 0xBF) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF:
            return continues(bytes, index, count: 2, secondLow: 0x80, secondHigh: 0xBF) ? 3 : 0
        case 0xED:
            return continues(bytes, index, count: 2, secondLow: 0x80, secondHigh: 0x9F) ? 3 : 0
        case 0xF0:
            return continues(bytes, index, count: 3, secondLow: 0x90, secondHigh: 0xBF) ? 4 : 0
        case 0xF1...0xF3:
            return continues(bytes, index, count: 3, secondLow: 0x80, secondHigh: 0xBF) ? 4 : 0
        case 0xF4:
            return continues(bytes, index, count: 3, secondLow: 0x80, secondHigh: 0x8F) ? 4 : 0
        default:
            // NUL, a lone continuation byte, C0/C1 (overlong), F5…FF (beyond U+10FFFF).
            return 0
        }
    }

    /// Whether `count` continuation bytes follow the lead byte at `index`, the first of them in
    /// `secondLow...secondHigh` and the others in `0x80...0xBF`.
    @inline(__always)
    private static func continues(
        _ bytes: UnsafeRawBufferPointer,
        _ index: Int,
        count: Int,
        secondLow: UInt8,
        secondHigh: UInt8
    ) -> Bool {
        guard index + count < bytes.count else { return false }
        let second = bytes[index + 1]
        guard second >= secondLow, second <= secondHigh else { return false }
        var offset = 2
        while offset <= count {
            guard bytes[index + offset] & 0xC0 == 0x80 else { return false }
            offset += 1
        }
        return true
    }
}
