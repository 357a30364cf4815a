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
