/// Turns an escaped value back into the bytes the client sent.
///
/// Parsing never unescapes (spans point at the line as written); a consumer that needs the
/// original bytes calls `decode` with one reusable buffer, and only for spans whose
/// `hasEscapes` is set, so clean values are never copied.
public enum Unescape {
    /// Writes the original bytes of `span` into `output` (replacing its contents, keeping its
    /// capacity), undoing the format's escaping.
    public static func decode(
        _ span: FieldSpan,
        in bytes: UnsafeRawBufferPointer,
        escaping: LogFormat.Escaping,
        into output: inout [UInt8]
    ) {
        output.removeAll(keepingCapacity: true)
        let range = span.range.clamped(to: 0..<bytes.count)
        guard span.hasEscapes else {
            output.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[range]))
            return
        }
        switch escaping {
        case .default: appendNginxDecoded(bytes, range, into: &output)
        case .json: appendJSONDecoded(bytes, range, into: &output)
        case .none: output.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[range]))
        }
    }

    /// nginx's default escaping: `\xHH` (either case of hex) becomes the byte HH; every other
    /// byte, a `\` not followed by `x` and two hex digits included, is copied unchanged.
    /// The caller guarantees `range` lies within `bytes`; output is appended.
    public static func appendNginxDecoded(
        _ bytes: UnsafeRawBufferPointer,
        _ range: Range<Int>,
        into output: inout [UInt8]
    ) {
        var index = range.lowerBound
        while index < range.upperBound {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\\"), index + 4 <= range.upperBound,
                bytes[index + 1] == UInt8(ascii: "x"),
                let high = bytes[index + 2].hexValue, let low = bytes[index + 3].hexValue
            {
                output.append(high << 4 | low)
                index += 4
            } else {
                output.append(byte)
                index += 1
            }
        }
    }

    /// nginx's default escaping undone into `output`, the rule of `appendNginxDecoded`, without
    /// an array: for hot paths and stack scratch. Stops when `output` is full (sized at
    /// `escaped.count`, it never is). Returns the number of bytes written.
    @inlinable
    public static func decodeNginx(_ escaped: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Int {
        var read = 0
        var written = 0
        let count = escaped.count
        while read < count, written < output.count {
            let byte = escaped[read]
            if byte == UInt8(ascii: "\\"), read + 4 <= count, escaped[read + 1] == UInt8(ascii: "x"),
                let high = escaped[read + 2].hexValue, let low = escaped[read + 3].hexValue
            {
                output[written] = high << 4 | low
                read += 4
            } else {
                output[written] = byte
                read += 1
            }
            written += 1
        }
        return written
    }

    /// JSON string escapes as nginx's `escape=json` writes them (`\"`, `\\`, `\n`, `\r`, `\t`,
    /// `\b`, `\f`, `\u00XX`), plus `\/` and any `\uXXXX` (surrogate pairs combined, a lone
    /// surrogate becomes U+FFFD) encoded as UTF-8. A malformed escape is copied unchanged.
    /// The caller guarantees `range` lies within `bytes`; output is appended.
    public static func appendJSONDecoded(
        _ bytes: UnsafeRawBufferPointer,
        _ range: Range<Int>,
        into output: inout [UInt8]
    ) {
        var index = range.lowerBound
        let end = range.upperBound
        while index < end {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "\\"), index + 1 < end else {
                output.append(byte)
                index += 1
                continue
            }
            let simple: UInt8? =
                switch bytes[index + 1] {
                case UInt8(ascii: "\""): UInt8(ascii: "\"")
                case UInt8(ascii: "\\"): UInt8(ascii: "\\")
                case UInt8(ascii: "/"): UInt8(ascii: "/")
                case UInt8(ascii: "n"): 0x0A
                case UInt8(ascii: "r"): 0x0D
                case UInt8(ascii: "t"): 0x09
                case UInt8(ascii: "b"): 0x08
                case UInt8(ascii: "f"): 0x0C
                default: nil
                }
            if let simple {
                output.append(simple)
                index += 2
                continue
            }
            guard bytes[index + 1] == UInt8(ascii: "u"), let unit = hex4(bytes, index + 2, end) else {
                output.append(byte)
                index += 1
                continue
            }
            index += 6
            var scalar = UInt32(unit)
            if (0xD800..<0xDC00).contains(unit) {
                if index + 1 < end, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u"),
                    let low = hex4(bytes, index + 2, end), (0xDC00..<0xE000).contains(low)
                {
                    scalar = 0x10000 + (UInt32(unit - 0xD800) << 10) + UInt32(low - 0xDC00)
                    index += 6
                } else {
                    scalar = 0xFFFD
                }
            } else if (0xDC00..<0xE000).contains(unit) {
                scalar = 0xFFFD
            }
            appendUTF8(scalar, into: &output)
        }
    }

    private static func hex4(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> UInt16? {
        guard start + 4 <= end else { return nil }
        var value: UInt16 = 0
        for index in start..<(start + 4) {
            guard let nibble = bytes[index].hexValue else { return nil }
            value = value << 4 | UInt16(nibble)
        }
        return value
    }

    private static func appendUTF8(_ scalar: UInt32, into output: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            output.append(UInt8(scalar))
        case 0x80..<0x800:
            output.append(0xC0 | UInt8(scalar >> 6))
            output.append(0x80 | UInt8(scalar & 0x3F))
        case 0x800..<0x10000:
            output.append(0xE0 | UInt8(scalar >> 12))
            output.append(0x80 | UInt8(scalar >> 6 & 0x3F))
            output.append(0x80 | UInt8(scalar & 0x3F))
        default:
            output.append(0xF0 | UInt8(scalar >> 18))
            output.append(0x80 | UInt8(scalar >> 12 & 0x3F))
            output.append(0x80 | UInt8(scalar >> 6 & 0x3F))
            output.append(0x80 | UInt8(scalar & 0x3F))
        }
    }
}
