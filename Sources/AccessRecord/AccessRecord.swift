/// One nginx request, as an owned value: the Swift twin of `struct AccessRecord` in
/// `schemas/access_record.capnp` (field comments there are the contract).
///
/// This is the convenient form for tests, tools and small volumes. Hot paths do not build it:
/// a parser writes fields straight from the line bytes with `AccessRecordBuilder`, and a
/// consumer reads fields in place with `AccessRecordReader`.
///
/// Text fields are `String`. An empty string and an absent Text read the same in Cap'n Proto
/// (the default is empty), so the encoder writes nothing for an empty string. Decoding invalid
/// UTF-8 replaces it with U+FFFD; bytes that must survive exactly belong in `rawLine`.
/// Enum fields hold the mapped case; an ordinal this version does not know reads as ordinal 0
/// (the raw ordinal stays available on `AccessRecordReader`).
public struct AccessRecord: Equatable, Sendable {
    /// Request time, UTC microseconds since the Unix epoch.
    public var timeUs: Int64 = 0
    /// 16 bytes, IPv4 mapped into `::ffff:0:0/96`; empty when unknown.
    public var clientIp: [UInt8] = []
    /// `$host`, or the site label configured for the file.
    public var site: String = ""
    /// The shipper's host name.
    public var edge: String = ""
    public var sourceFile: String = ""
    public var method: Method = .other
    /// The method as written, only when `method == .other`.
    public var methodText: String = ""
    public var path: String = ""
    /// Without the leading `?`.
    public var query: String = ""
    /// Schema field `protocol`.
    public var `protocol`: HTTPProtocol = .unknown
    public var status: UInt16 = 0
    public var bodyBytesSent: UInt64 = 0
    public var bytesSent: UInt64 = 0
    public var requestLength: UInt64 = 0
    public var requestTimeUs: UInt64 = 0
    /// Sum over all upstreams tried.
    public var upstreamResponseTimeUs: UInt64 = 0
    public var cacheStatus: CacheStatus = .none
    public var referer: String = ""
    public var userAgent: String = ""
    public var remoteUser: String = ""
    public var forwardedFor: String = ""
    /// The line did not parse; `rawLine` holds it.
    public var parseError: Bool = false
    /// The line was longer than the shipper's cap and was cut.
    public var truncated: Bool = false
    /// The line's format has no `$request_time`: `requestTimeUs` is not a measured 0, and
    /// latency counts leave the request out.
    public var requestTimeAbsent: Bool = false
    public var rawLine: [UInt8] = []
    /// Byte offset of the line's first byte in `sourceFile`.
    public var fileOffset: UInt64 = 0
    /// The time zone the line was written in, minutes east of UTC.
    public var utcOffsetMin: Int16 = 0
    /// `log_format` variables without a field of their own, in line order.
    public var extras: [Variable] = []
    /// A request, or a control record of the shipper (`fileStats`).
    public var kind: RecordKind = .request
    /// `fileStats`: lines of `sourceFile` in `fileOffset ..< endOffset` shipped in this stream.
    public var shippedLines: UInt64 = 0
    /// `fileStats`: lines the broker refused since the previous `fileStats` of the file.
    public var lostLines: UInt64 = 0
    /// `fileStats`: file bytes never read, all causes together (deleted unread, content
    /// replaced, unfinished last line). Stays the total so that readers which predate the
    /// per-cause fields below still count every lost byte.
    public var lostBytes: UInt64 = 0
    /// `fileStats`: end of the file range the counts cover.
    public var endOffset: UInt64 = 0
    /// `fileStats`: the part of `lostBytes` whose content copytruncate replaced before it was
    /// read. 0 from writers that predate the field.
    public var lostBytesReplaced: UInt64 = 0
    /// `fileStats`: the part of `lostBytes` that was a finished file's last line without `\n`.
    /// 0 from writers that predate the field.
    public var lostBytesUnfinished: UInt64 = 0

    /// `fileStats`: the part of `lostBytes` lost because the file was deleted (or held past
    /// the deleted-file grace) before it was read to its end: what no other cause claims,
    /// clamped at 0 so a hostile record whose parts exceed its total cannot underflow.
    public var lostBytesDeletedUnread: UInt64 {
        let claimed = lostBytesReplaced.addingReportingOverflow(lostBytesUnfinished)
        guard !claimed.overflow, claimed.partialValue <= lostBytes else { return 0 }
        return lostBytes - claimed.partialValue
    }

    /// A record with every field at its default (what an all-zero message decodes to).
    public init() {}

    /// One `log_format` variable without a field of its own (schema `struct Variable`).
    public struct Variable: Equatable, Sendable {
        /// Without the leading `$`.
        public var name: String
        /// As written in the line.
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }
}
