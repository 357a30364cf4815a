/// Byte-level helpers shared by the normalizer and the tokenizers. Everything here works on
/// single bytes, so the hot path never builds a `String`.
extension UInt8 {
    /// The value of an ASCII hex digit, or nil.
    @inline(__always)
    var hexDigitValue: UInt8? {
        switch self {
        case 0x30...0x39: return self &- 0x30
        case 0x41...0x46: return self &- 0x41 &+ 10
        case 0x61...0x66: return self &- 0x61 &+ 10
        default: return nil
        }
    }

    /// ASCII lower case; every other byte unchanged.
    @inline(__always)
    var asciiLowercased: UInt8 { self >= 0x41 && self <= 0x5A ? self | 0x20 : self }

    @inline(__always)
    var isASCIILetter: Bool { (self | 0x20) >= 0x61 && (self | 0x20) <= 0x7A }

    @inline(__always)
    var isASCIIDigit: Bool { self >= 0x30 && self <= 0x39 }

    /// Whitespace as SQL engines and HTML parsers skip it: space, \t \n \v \f \r, and NBSP
    /// (0xA0, which MySQL and old IE treat as a space).
    @inline(__always)
    var isLenientWhitespace: Bool { self == 0x20 || (self >= 0x09 && self <= 0x0D) || self == 0xA0 }
}

/// A view of `count` decoded bytes; tokenizers read through it and never past `count`.
struct ByteView {
    let base: UnsafePointer<UInt8>
    let count: Int

    init(_ buffer: UnsafeBufferPointer<UInt8>) {
        // An empty buffer may have a nil base; point at a static byte instead (never read).
        self.base = buffer.baseAddress ?? ByteView.emptyBase
        self.count = buffer.count
    }

    init(base: UnsafePointer<UInt8>, count: Int) {
        self.base = base
        self.count = count
    }

    nonisolated(unsafe) private static let emptyBase: UnsafePointer<UInt8> = {
        let pointer = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        pointer.initialize(to: 0)
        return UnsafePointer(pointer)
    }()

    /// The byte at `index`, or 0 past the end (so look-ahead needs no bounds checks).
    @inline(__always)
    subscript(index: Int) -> UInt8 { index >= 0 && index < count ? base[index] : 0 }

    /// True if the bytes at `index` equal `literal` (ASCII, already lower case).
    func matches(_ literal: StaticString, at index: Int) -> Bool {
        let length = literal.utf8CodeUnitCount
        guard index >= 0, index + length <= count else { return false }
        let pointer = literal.utf8Start
        for offset in 0..<length where base[index + offset] != pointer[offset] { return false }
        return true
    }

    /// The first index at or after `from` where `literal` starts, or nil.
    func firstIndex(of literal: StaticString, from: Int = 0) -> Int? {
        let length = literal.utf8CodeUnitCount
        guard length > 0, count >= length else { return nil }
        let first = literal.utf8Start[0]
        var index = max(0, from)
        while index + length <= count {
            if base[index] == first, matches(literal, at: index) { return index }
            index += 1
        }
        return nil
    }

    func contains(_ literal: StaticString) -> Bool { firstIndex(of: literal) != nil }

    func slice(_ range: Range<Int>) -> ByteView {
        let lower = min(max(range.lowerBound, 0), count)
        let upper = min(max(range.upperBound, lower), count)
        return ByteView(base: base + lower, count: upper - lower)
    }
}

/// FNV-1a over a word's bytes: the key of the word tables, so looking a word up needs no String.
@inline(__always)
func wordHash(_ view: ByteView, _ range: Range<Int>) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for index in range {
        hash = (hash ^ UInt64(view.base[index])) &* 0x0000_0100_0000_01B3
    }
    return hash
}

/// The same hash of a table entry, computed once when the tables are built.
func wordHash(_ text: String) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
    return hash
}
