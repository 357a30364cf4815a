/// The request method from `$request` or `$request_method`.
///
/// Matching is case-sensitive, as in HTTP and nginx (`get` is not GET, nginx answers it with
/// 400); anything else, junk request lines included, is `.other` and keeps its bytes in
/// `ParsedLine.methodText`. Raw values are stable: they are written to the record.
public enum HTTPMethod: UInt8, Sendable, CaseIterable {
    case other = 0
    case get = 1
    case head = 2
    case post = 3
    case put = 4
    case delete = 5
    case options = 6
    case patch = 7
    case connect = 8
    case trace = 9

    /// Classifies the method token `bytes[range]`; bounds are the caller's to check.
    static func classify(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> HTTPMethod {
        @inline(__always) func matches(_ text: StaticString) -> Bool {
            guard text.utf8CodeUnitCount == range.count else { return false }
            let pointer = text.utf8Start
            for offset in 0..<range.count where bytes[range.lowerBound + offset] != pointer[offset] {
                return false
            }
            return true
        }
        switch range.count {
        case 3:
            if matches("GET") { return .get }
            if matches("PUT") { return .put }
        case 4:
            if matches("HEAD") { return .head }
            if matches("POST") { return .post }
        case 5:
            if matches("PATCH") { return .patch }
            if matches("TRACE") { return .trace }
        case 6:
            if matches("DELETE") { return .delete }
        case 7:
            if matches("OPTIONS") { return .options }
            if matches("CONNECT") { return .connect }
        default:
            break
        }
        return .other
    }
}
