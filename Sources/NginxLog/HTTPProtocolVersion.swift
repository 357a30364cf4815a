/// The HTTP version of a request, from the last word of `$request` or from `$server_protocol`.
///
/// nginx writes `HTTP/2.0` and `HTTP/3.0` in `$request` for HTTP/2 and HTTP/3. A request line
/// with a known method, a target and no version is HTTP/0.9. Junk request lines are
/// `.unknown`. Raw values are stable: they are written to the record.
public enum HTTPProtocolVersion: UInt8, Sendable, CaseIterable {
    case unknown = 0
    case http09 = 1
    case http10 = 2
    case http11 = 3
    case http2 = 4
    case http3 = 5

    /// Classifies `HTTP/x.y` (or `HTTP/2`, `HTTP/3`); `nil` when the bytes do not start with
    /// `HTTP/`, `.unknown` for an `HTTP/` token with another version.
    static func classify(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> HTTPProtocolVersion? {
        let start = range.lowerBound
        if range.count == 8 {
            // The five `HTTP/x.y` texts nginx writes, each as one little-endian word (byte 0
            // lowest: `H` 48, `T` 54, `T` 54, `P` 50, `/` 2F, major, `.` 2E, minor); anything
            // else of eight bytes takes the byte-wise path below.
            switch UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: start, as: UInt64.self)) {
            case 0x312E_312F_5054_5448: return .http11
            case 0x302E_322F_5054_5448: return .http2
            case 0x302E_312F_5054_5448: return .http10
            case 0x302E_332F_5054_5448: return .http3
            case 0x392E_302F_5054_5448: return .http09
            default: break
            }
        }
        guard range.count >= 6,
            bytes[start] == UInt8(ascii: "H"), bytes[start + 1] == UInt8(ascii: "T"),
            bytes[start + 2] == UInt8(ascii: "T"), bytes[start + 3] == UInt8(ascii: "P"),
            bytes[start + 4] == UInt8(ascii: "/")
        else { return nil }
        let major = bytes[start + 5]
        var minor: UInt8?
        if range.count == 8, bytes[start + 6] == UInt8(ascii: ".") {
            minor = bytes[start + 7]
        } else if range.count != 6 {
            return .unknown
        }
        switch (major, minor) {
        case (UInt8(ascii: "0"), UInt8(ascii: "9")): return .http09
        case (UInt8(ascii: "1"), UInt8(ascii: "0")): return .http10
        case (UInt8(ascii: "1"), UInt8(ascii: "1")): return .http11
        case (UInt8(ascii: "2"), UInt8(ascii: "0")), (UInt8(ascii: "2"), nil): return .http2
        case (UInt8(ascii: "3"), UInt8(ascii: "0")), (UInt8(ascii: "3"), nil): return .http3
        default: return .unknown
        }
    }
}
