/// The rules that turn the name bytes of a record (site, edge, source file) into the text
/// stored in PostgreSQL.
///
/// Why: the shipper promises valid UTF-8 without NUL, but the consumer must not trust the
/// writer (any Kafka producer can write to the topic), and PostgreSQL `text` rejects both NUL
/// and invalid UTF-8 — one bad name would fail the whole flush transaction, forever, on
/// replay. `$host` is attacker-controlled, so the length is capped too.
///
/// Rules, in order:
/// 1. Empty bytes (a format without `$host` and no label, a parse-error line without a label)
///    become `SiteName.unknown`.
/// 2. Invalid UTF-8 is decoded with U+FFFD replacing each maximal invalid subsequence (the
///    Unicode standard's recommended practice, what `String(decoding:as:)` does); NUL becomes
///    U+FFFD as well.
/// 3. The result is cut to at most `maximumBytes` UTF-8 bytes at a Unicode scalar boundary
///    (never inside a scalar, so it stays valid UTF-8; a grapheme cluster may be split).
///
/// Invariant: `storedText` is a pure function of the bytes, never empty, valid UTF-8 without
/// NUL, at most `maximumBytes` bytes; text already satisfying the rules is returned unchanged.
public enum SiteName {
    /// The name stored for a record without one.
    public static let unknown = "(unknown)"
    /// The name under which sites beyond the per-minute cap are counted (`SiteAdmission`). A
    /// record whose own site is literally `(other)` lands in the same row, as one named
    /// `(unknown)` does in that one.
    public static let other = "(other)"
    /// Longest stored name, in UTF-8 bytes.
    public static let maximumBytes = 1024

    /// The stored text for name bytes (see the rules above).
    public static func storedText(_ bytes: UnsafeRawBufferPointer) -> String {
        if bytes.isEmpty { return unknown }
        if isStoredForm(bytes) { return String(decoding: bytes, as: UTF8.self) }
        let decoded = String(decoding: bytes, as: UTF8.self)
        var result = String.UnicodeScalarView()
        var byteCount = 0
        for scalar in decoded.unicodeScalars {
            let stored: Unicode.Scalar = scalar.value == 0 ? "\u{FFFD}" : scalar
            let width = UTF8.width(stored)
            guard byteCount + width <= maximumBytes else { break }
            result.append(stored)
            byteCount += width
        }
        return String(result)
    }

    /// The stored text for a name given as a `String` (tests, configuration).
    public static func storedText(_ text: String) -> String {
        var copy = text
        return copy.withUTF8 { storedText(UnsafeRawBufferPointer($0)) }
    }

    /// Whether `bytes` are already stored as they are: non-empty, at most `maximumBytes`,
    /// valid UTF-8 (no overlong forms, surrogates or values above U+10FFFF), no NUL.
    public static func isStoredForm(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard !bytes.isEmpty, bytes.count <= maximumBytes else { return false }
        var index = 0
        let count = bytes.count
        while index < count {
            let lead = bytes[index]
            if lead < 0x80 {
                if lead == 0 { return false }
                index += 1
                continue
            }
            let length: Int
            var lower: UInt8 = 0x80
            var upper: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; upper = 0x9F
            case 0xF0: length = 4; lower = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; upper = 0x8F
            default: return false
            }
            guard index + length <= count else { return false }
            let second = bytes[index + 1]
            guard second >= lower && second <= upper else { return false }
            var continuation = index + 2
            while continuation < index + length {
                guard bytes[continuation] & 0xC0 == 0x80 else { return false }
                continuation += 1
            }
            index += length
        }
        return true
    }
}
