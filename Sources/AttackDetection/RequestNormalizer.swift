import NginxLog

/// Undoes every encoding a client or nginx can put between an attack and its meaning, so the
/// detectors see one canonical form.
///
/// Layers, outermost first:
/// 1. nginx's log escaping: `\xHH` (nginx writes `"`, `\`, control bytes and bytes ≥ 0x7F so).
/// 2. URL encoding, repeated while it still changes something (at most `maximumPercentPasses`,
///    which covers `%2527` → `%27` → `'`): `%HH`, IIS's `%uHHHH`, and `+` as a space in query
///    values (first pass only: a `%2B` the client sent is a real plus).
/// 3. One final pass: HTML character references (`&lt;`, `&#60;`, `&#x3c;`, with or without
///    `;`), overlong UTF-8 forms of ASCII (`C0 AE` → `.`, `E0 80 AF` → `/`), full-width ASCII
///    (`U+FF1C` → `<`), NUL bytes dropped, and ASCII lower case.
///
/// Invariant: every layer only shrinks its input, so the output is never longer than the
/// input; input beyond `capacity` bytes is ignored (the detectors judge the first 4 KiB of a
/// value, which is where every payload of the corpus sits).
enum RequestNormalizer {
    /// Bytes of one value the detectors look at.
    static let capacity = 4096
    static let maximumPercentPasses = 3

    /// Normalizes `input` using the two buffers of `scratch` and returns the result, which
    /// lives in one of them (valid until the next call with the same scratch).
    static func normalize(
        _ input: UnsafeRawBufferPointer,
        plusIsSpace: Bool,
        scratch: NormalizationScratch
    ) -> ByteView {
        var source = scratch.first
        var target = scratch.second
        // Layer 1: nginx's `\xHH` escapes (at most `capacity` bytes of the value).
        var count = Unescape.decodeNginx(input, into: UnsafeMutableRawBufferPointer(source))
        var pass = 0
        while pass < maximumPercentPasses {
            let decoded = percentDecode(
                ByteView(UnsafeBufferPointer(rebasing: source[..<count])),
                plusIsSpace: plusIsSpace && pass == 0, into: target)
            pass += 1
            if !decoded.changed { break }
            count = decoded.count
            swap(&source, &target)
        }
        count = finalPass(ByteView(UnsafeBufferPointer(rebasing: source[..<count])), into: target)
        return ByteView(UnsafeBufferPointer(rebasing: target[..<count]))
    }

    // MARK: - Layers

    /// Layer 2, one pass: `%HH`, `%uHHHH` and (optionally) `+`.
    static func percentDecode(
        _ input: ByteView,
        plusIsSpace: Bool,
        into output: UnsafeMutableBufferPointer<UInt8>
    ) -> (count: Int, changed: Bool) {
        var read = 0
        var written = 0
        var changed = false
        while read < input.count {
            let byte = input.base[read]
            if byte == UInt8(ascii: "%") {
                if let high = input[read + 1].hexDigitValue, let low = input[read + 2].hexDigitValue {
                    output[written] = high << 4 | low
                    written += 1
                    read += 3
                    changed = true
                    continue
                }
                if input[read + 1] | 0x20 == UInt8(ascii: "u"), let scalar = hexScalar(input, from: read + 2, digits: 4) {
                    written += appendScalar(scalar, into: output, at: written)
                    read += 6
                    changed = true
                    continue
                }
            } else if byte == UInt8(ascii: "+"), plusIsSpace {
                output[written] = 0x20
                written += 1
                read += 1
                changed = true
                continue
            }
            output[written] = byte
            written += 1
            read += 1
        }
        return (written, changed)
    }

    /// Layer 3: entities, overlong and full-width forms, NUL, lower case.
    static func finalPass(_ input: ByteView, into output: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var read = 0
        var written = 0
        while read < input.count {
            let byte = input.base[read]
            switch byte {
            case 0:
                read += 1
                continue
            case UInt8(ascii: "&"):
                if let (value, length) = characterReference(input, at: read) {
                    let scalarBytes = appendScalar(value, into: output, at: written)
                    lowercase(output, written..<(written + scalarBytes))
                    written += scalarBytes
                    read += length
                    continue
                }
            case 0xC0, 0xC1:
                // Overlong two-byte form of an ASCII byte: 110x_xxxx 10yy_yyyy.
                let next = input[read + 1]
                if next & 0xC0 == 0x80 {
                    output[written] = ((byte & 0x1F) << 6 | (next & 0x3F)).asciiLowercased
                    written += 1
                    read += 2
                    continue
                }
            case 0xE0:
                // Overlong three-byte form of an ASCII byte: E0 80 xx / E0 81 xx.
                let second = input[read + 1]
                let third = input[read + 2]
                if second & 0xFE == 0x80, third & 0xC0 == 0x80 {
                    output[written] = ((second & 0x01) << 6 | (third & 0x3F)).asciiLowercased
                    written += 1
                    read += 3
                    continue
                }
            case 0xEF:
                // Full-width ASCII U+FF01...U+FF5E: EF BC 81...BF, EF BD 80...9E.
                let second = input[read + 1]
                let third = input[read + 2]
                if second == 0xBC, third >= 0x81, third <= 0xBF {
                    output[written] = (third &- 0x60).asciiLowercased
                    written += 1
                    read += 3
                    continue
                }
                if second == 0xBD, third >= 0x80, third <= 0x9E {
                    output[written] = (third &- 0x20).asciiLowercased
                    written += 1
                    read += 3
                    continue
                }
            default:
                break
            }
            output[written] = byte.asciiLowercased
            written += 1
            read += 1
        }
        return written
    }

    // MARK: - Pieces

    /// True if the raw bytes at `index` (an `&`) start a character reference that ends in `;`
    /// or is numeric (`&#60`), so a query splitter keeps it inside its value.
    static func startsCharacterReference(_ raw: UnsafeRawBufferPointer, at index: Int) -> Bool {
        guard index + 3 < raw.count else { return false }
        if raw[index + 1] == UInt8(ascii: "#") {
            return raw[index + 2].isASCIIDigit || raw[index + 2] | 0x20 == UInt8(ascii: "x") && raw[index + 3].hexDigitValue != nil
        }
        for (name, _, _) in namedReferences {
            let length = name.utf8CodeUnitCount
            guard index + 1 + length < raw.count, raw[index + 1 + length] == UInt8(ascii: ";") else { continue }
            var equal = true
            for offset in 0..<length where raw[index + 1 + offset].asciiLowercased != name.utf8Start[offset] {
                equal = false
                break
            }
            if equal { return true }
        }
        return false
    }

    private static func lowercase(_ buffer: UnsafeMutableBufferPointer<UInt8>, _ range: Range<Int>) {
        for index in range { buffer[index] = buffer[index].asciiLowercased }
    }

    private static func hexScalar(_ input: ByteView, from: Int, digits: Int) -> UInt32? {
        var value: UInt32 = 0
        for offset in 0..<digits {
            guard let digit = input[from + offset].hexDigitValue else { return nil }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// Writes `scalar` as UTF-8 (full-width ASCII folded to ASCII; invalid scalars as `?`) at
    /// `index` and returns the byte count. The callers only call it where the encoded form was
    /// at least as long as its UTF-8, so the invariant "output ≤ input" holds.
    private static func appendScalar(_ scalar: UInt32, into output: UnsafeMutableBufferPointer<UInt8>, at index: Int) -> Int {
        var value = scalar
        if value >= 0xFF01, value <= 0xFF5E { value -= 0xFEE0 }
        switch value {
        case 0..<0x80:
            output[index] = UInt8(value)
            return 1
        case 0x80..<0x800:
            output[index] = UInt8(0xC0 | value >> 6)
            output[index + 1] = UInt8(0x80 | value & 0x3F)
            return 2
        case 0x800..<0xD800, 0xE000..<0x10000:
            output[index] = UInt8(0xE0 | value >> 12)
            output[index + 1] = UInt8(0x80 | value >> 6 & 0x3F)
            output[index + 2] = UInt8(0x80 | value & 0x3F)
            return 3
        default:
            output[index] = UInt8(ascii: "?")
            return 1
        }
    }

    /// An HTML character reference at `index` (which holds `&`): its scalar and length.
    /// Numeric references may omit the `;` and carry leading zeros (browsers accept both);
    /// named ones need the `;` except the four legacy names (`&lt` `&gt` `&amp` `&quot`).
    private static func characterReference(_ input: ByteView, at index: Int) -> (UInt32, Int)? {
        var cursor = index + 1
        if input[cursor] == UInt8(ascii: "#") {
            cursor += 1
            let hex = input[cursor] | 0x20 == UInt8(ascii: "x")
            if hex { cursor += 1 }
            var value: UInt32 = 0
            var digits = 0
            while digits < 10 {
                let byte = input[cursor]
                let digit: UInt8?
                if hex { digit = byte.hexDigitValue } else { digit = byte.isASCIIDigit ? byte - 0x30 : nil }
                guard let digit else { break }
                value = min(value * (hex ? 16 : 10) + UInt32(digit), 0x11_0000)
                cursor += 1
                digits += 1
            }
            guard digits > 0 else { return nil }
            if input[cursor] == UInt8(ascii: ";") { cursor += 1 }
            let length = cursor - index
            // "&#x3c" (5 bytes) → at most 3 UTF-8 bytes, so the output never outgrows the input.
            guard length >= 3 else { return nil }
            return (value == 0 ? 0xFFFD : value, length)
        }
        for (name, scalar, needsSemicolon) in namedReferences where matchesFolded(input, name, at: cursor) {
            var end = cursor + name.utf8CodeUnitCount
            if input[end] == UInt8(ascii: ";") {
                end += 1
            } else if needsSemicolon {
                continue
            }
            return (scalar, end - index)
        }
        return nil
    }

    private static func matchesFolded(_ input: ByteView, _ literal: StaticString, at index: Int) -> Bool {
        let length = literal.utf8CodeUnitCount
        guard index + length <= input.count else { return false }
        for offset in 0..<length where input.base[index + offset].asciiLowercased != literal.utf8Start[offset] {
            return false
        }
        return true
    }

    /// The named references attackers use to hide markup and URLs (HTML5 names, lower case).
    private static let namedReferences: [(StaticString, UInt32, Bool)] = [
        ("lt", 0x3C, false), ("gt", 0x3E, false), ("quot", 0x22, false), ("amp", 0x26, false),
        ("apos", 0x27, true), ("colon", 0x3A, true), ("tab", 0x09, true), ("newline", 0x0A, true),
        ("lpar", 0x28, true), ("rpar", 0x29, true), ("sol", 0x2F, true), ("bsol", 0x5C, true),
        ("semi", 0x3B, true), ("equals", 0x3D, true), ("nbsp", 0x20, true), ("period", 0x2E, true),
        ("comma", 0x2C, true), ("excl", 0x21, true), ("num", 0x23, true), ("grave", 0x60, true),
        ("lsqb", 0x5B, true), ("rsqb", 0x5D, true), ("plus", 0x2B, true), ("percnt", 0x25, true),
    ]
}

/// Two reusable buffers of `RequestNormalizer.capacity` bytes each (stack memory from
/// `withUnsafeTemporaryAllocation`, so normalizing allocates nothing on the heap).
struct NormalizationScratch {
    let first: UnsafeMutableBufferPointer<UInt8>
    let second: UnsafeMutableBufferPointer<UInt8>

    /// Splits `buffer` (at least `2 * RequestNormalizer.capacity` bytes) in two.
    init(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        precondition(buffer.count >= 2 * RequestNormalizer.capacity)
        first = UnsafeMutableBufferPointer(rebasing: buffer[0..<RequestNormalizer.capacity])
        second = UnsafeMutableBufferPointer(rebasing: buffer[RequestNormalizer.capacity..<(2 * RequestNormalizer.capacity)])
    }

    /// Runs `body` with scratch memory on the stack.
    static func with<Result>(_ body: (NormalizationScratch) -> Result) -> Result {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 2 * RequestNormalizer.capacity) { buffer in
            body(NormalizationScratch(buffer))
        }
    }
}
