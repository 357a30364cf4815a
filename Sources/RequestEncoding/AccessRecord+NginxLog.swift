import AccessRecord
import NginxLog

// The parser's enums and the schema's enums are separate types on purpose (NginxLog knows
// nothing of the wire), with the same case names. These initialisers map them by name, not by
// raw value, so a reordering on either side is a compile error here instead of a silent remap.

extension AccessRecord.Method {
    init(_ method: HTTPMethod) {
        switch method {
        case .other: self = .other
        case .get: self = .get
        case .head: self = .head
        case .post: self = .post
        case .put: self = .put
        case .delete: self = .delete
        case .options: self = .options
        case .patch: self = .patch
        case .connect: self = .connect
        case .trace: self = .trace
        }
    }
}

extension AccessRecord.HTTPProtocol {
    init(_ version: HTTPProtocolVersion) {
        switch version {
        case .unknown: self = .unknown
        case .http09: self = .http09
        case .http10: self = .http10
        case .http11: self = .http11
        case .http2: self = .http2
        case .http3: self = .http3
        }
    }
}

extension AccessRecord.CacheStatus {
    init(_ status: UpstreamCacheStatus) {
        switch status {
        case .none: self = .none
        case .hit: self = .hit
        case .miss: self = .miss
        case .expired: self = .expired
        case .stale: self = .stale
        case .updating: self = .updating
        case .revalidated: self = .revalidated
        case .bypass: self = .bypass
        }
    }
}
