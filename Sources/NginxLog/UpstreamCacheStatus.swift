/// `$upstream_cache_status`: what nginx's proxy cache did for the request.
///
/// `-` (no cache involved) and any value nginx does not document are `.none`. Raw values are
/// stable: they are written to the record.
public enum UpstreamCacheStatus: UInt8, Sendable, CaseIterable {
    case none = 0
    case hit = 1
    case miss = 2
    case expired = 3
    case stale = 4
    case updating = 5
    case revalidated = 6
    case bypass = 7

    static func classify(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> UpstreamCacheStatus {
        @inline(__always) func matches(_ text: StaticString) -> Bool {
            guard text.utf8CodeUnitCount == range.count else { return false }
            let pointer = text.utf8Start
            for offset in 0..<range.count where bytes[range.lowerBound + offset] != pointer[offset] {
                return false
            }
            return true
        }
        switch range.count {
        case 3: return matches("HIT") ? .hit : .none
        case 4: return matches("MISS") ? .miss : .none
        case 5: return matches("STALE") ? .stale : .none
        case 6: return matches("BYPASS") ? .bypass : .none
        case 7: return matches("EXPIRED") ? .expired : .none
        case 8: return matches("UPDATING") ? .updating : .none
        case 11: return matches("REVALIDATED") ? .revalidated : .none
        default: return .none
        }
    }
}
