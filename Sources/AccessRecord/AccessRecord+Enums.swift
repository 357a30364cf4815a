// The schema's enums. On the wire each is a UInt16 ordinal; ordinal 0 is the "don't know"
// case so that an all-zero record, and an ordinal added by a newer writer, read safely.
// Cases and ordinals are checked against `capnp compile -ocapnp` by AccessRecordLayoutTests.

extension AccessRecord {
    /// HTTP request method (schema `enum Method`).
    public enum Method: UInt16, Sendable, CaseIterable {
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

        /// Maps a wire ordinal, sending ones this version does not know to `.other`.
        public init(ordinal: UInt16) { self = Method(rawValue: ordinal) ?? .other }
    }

    /// nginx `$upstream_cache_status` (schema `enum CacheStatus`).
    public enum CacheStatus: UInt16, Sendable, CaseIterable {
        case none = 0
        case hit = 1
        case miss = 2
        case expired = 3
        case stale = 4
        case updating = 5
        case revalidated = 6
        case bypass = 7

        /// Maps a wire ordinal, sending ones this version does not know to `.none`.
        public init(ordinal: UInt16) { self = CacheStatus(rawValue: ordinal) ?? .none }
    }

    /// The request's protocol, `$server_protocol` (schema `enum Protocol`; renamed because
    /// `.Protocol` is reserved for metatypes in Swift).
    public enum HTTPProtocol: UInt16, Sendable, CaseIterable {
        case unknown = 0
        case http09 = 1
        case http10 = 2
        case http11 = 3
        case http2 = 4
        case http3 = 5

        /// Maps a wire ordinal, sending ones this version does not know to `.unknown`.
        public init(ordinal: UInt16) { self = HTTPProtocol(rawValue: ordinal) ?? .unknown }
    }

    /// What a record is (schema `enum RecordKind`): a request, or one of the shipper's control
    /// records. Ordinal 0 is `request`, so records written before the field existed read as one.
    public enum RecordKind: UInt16, Sendable, CaseIterable {
        case request = 0
        /// Shipped and lost line counts for one range of one file (`shippedLines`, `lostLines`,
        /// `lostBytes`, `fileOffset ..< endOffset`), no request.
        case fileStats = 1

        /// Maps a wire ordinal, sending ones this version does not know to `.request`.
        public init(ordinal: UInt16) { self = RecordKind(rawValue: ordinal) ?? .request }
    }
}
