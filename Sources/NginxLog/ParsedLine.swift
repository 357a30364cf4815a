/// One access-log line taken apart, filled in place by `LogParser.parse` (reuse one value for
/// every line: `parse` resets it, keeping the `extras` storage, so a steady stream of lines
/// allocates nothing).
///
/// Text fields are `FieldSpan`s into the caller's buffer, never copies: they are valid while
/// that buffer's bytes are. Absent values (nginx's `-`, or a variable the format lacks) are
/// empty spans, `0` for counts and status, `nil` for durations and times.
///
/// Where a field can come from several variables, the most direct one wins:
/// - time: `$msec` (ms) over `$time_iso8601` / `$time_local` (s, the later one in the line);
/// - method, target, protocol: `$request`; `$request_method` / `$server_protocol` fill them
///   only when `$request` gave none;
/// - path and query: the target of `$request`, else `$request_uri`, else `$uri` and `$args`.
public struct ParsedLine: Sendable {
    /// The whole line without its `\n` / `\r\n`: what is shipped raw when `parseError` is set.
    public var line: Range<Int> = 0..<0
    /// `nil` when the line matched the format. When set, fields parsed before the failure may
    /// be filled, but only `line` is meaningful.
    ///
    /// Lines cut short and lines of another format mostly look alike (the bytes run out before
    /// the format's next literal is found): both are `.truncated`.
    public var parseError: LineParseError?

    // MARK: Client
    /// `$remote_addr` as written.
    public var remoteAddr = FieldSpan.absent
    /// `$remote_addr` as 16 bytes; `nil` when absent or not an IP (`unix:`).
    public var clientAddress: IPAddress?
    public var remoteUser = FieldSpan.absent
    public var forwardedFor = FieldSpan.absent

    // MARK: Time
    /// Request end time in UTC, microseconds since 1970-01-01T00:00:00Z.
    public var timeMicros: Int64?
    /// The server's UTC offset from `$time_local` / `$time_iso8601` (0 when only `$msec`).
    public var utcOffsetMinutes: Int16 = 0

    // MARK: Request
    /// `$request`: the whole request line as nginx logged it.
    public var request = FieldSpan.absent
    public var method = HTTPMethod.other
    /// The method token as written (for `.other`: the junk, e.g. `GARBAGE`, `\x16\x03\x01`).
    public var methodText = FieldSpan.absent
    /// Everything between the method and the protocol (may contain spaces; may be an absolute URL).
    public var target = FieldSpan.absent
    /// The target up to the first `?`; for an absolute URL (`http://b.example/x`) only the
    /// part from the first `/` after the authority (empty when there is none).
    public var path = FieldSpan.absent
    /// The target after the first `?` (without it); empty when there is no `?`.
    public var query = FieldSpan.absent
    public var protocolVersion = HTTPProtocolVersion.unknown
    public var scheme = FieldSpan.absent

    // MARK: Response
    /// `$status`; 0 when absent (nginx logs `000` for a connection closed before a response).
    public var status: UInt16 = 0
    public var bodyBytesSent: UInt64 = 0
    public var bytesSent: UInt64 = 0
    public var requestLength: UInt64 = 0
    public var requestTimeMicros: UInt64?
    /// Sum of every `$upstream_response_time` value (several upstreams, internal redirects);
    /// `nil` when all values are `-`.
    public var upstreamResponseTimeMicros: UInt64?
    public var upstreamCacheStatus = UpstreamCacheStatus.none
    public var referer = FieldSpan.absent
    public var userAgent = FieldSpan.absent

    // MARK: Site
    /// `$host` as written (nginx already lower-cases it and strips the port).
    public var host = FieldSpan.absent
    /// `$http_host` as written (the client's `Host` header: any case, maybe a port).
    public var httpHost = FieldSpan.absent
    public var serverName = FieldSpan.absent
    /// Which value is the site: `host`, the parser's label, `httpHost` or `serverName`.
    public var siteSource = SiteSource.none

    /// Variables without a typed field, in format order.
    public var extras: [ExtraField] = []

    /// Spans of `$request_uri`, `$uri`, `$args`, kept to derive `path` and `query`.
    var requestURI = FieldSpan.absent
    var uri = FieldSpan.absent
    var args = FieldSpan.absent
    /// Spans of `$request_method` and `$server_protocol`, used when `$request` gave none.
    var requestMethod = FieldSpan.absent
    var serverProtocol = FieldSpan.absent
    /// Which time variable set `timeMicros`: 0 none, 1 seconds (`$time_local`, `$time_iso8601`), 2 `$msec`.
    var timePrecision: UInt8 = 0
    /// The last `$time_local` minute parsed. Not part of the line: it always holds a correct
    /// entry (see `TimeLocalCache`), so `reset` keeps it and results never depend on it.
    var timeLocalCache = TimeLocalCache()

    public init() {}

    /// Back to the empty state of `init()`, keeping the capacity of `extras` and the time
    /// cache. Inlined into `LogParser.parse`, which calls it for every line.
    ///
    /// Field by field rather than `self = ParsedLine()`: assigning a whole new value destroys
    /// the old one (an outlined destroy and a release of `extras` per line), which cost more
    /// than these stores. Every stored property but `extras` and `timeLocalCache` is set here
    /// (`ParsedLineTests` checks each against a fresh value).
    @inline(__always)
    mutating func reset() {
        let absent = FieldSpan(range: 0..<0)
        line = 0..<0
        parseError = nil
        remoteAddr = absent
        clientAddress = nil
        remoteUser = absent
        forwardedFor = absent
        timeMicros = nil
        utcOffsetMinutes = 0
        request = absent
        method = .other
        methodText = absent
        target = absent
        path = absent
        query = absent
        protocolVersion = .unknown
        scheme = absent
        status = 0
        bodyBytesSent = 0
        bytesSent = 0
        requestLength = 0
        requestTimeMicros = nil
        upstreamResponseTimeMicros = nil
        upstreamCacheStatus = .none
        referer = absent
        userAgent = absent
        host = absent
        httpHost = absent
        serverName = absent
        siteSource = .none
        if !extras.isEmpty { extras.removeAll(keepingCapacity: true) }
        requestURI = absent
        uri = absent
        args = absent
        requestMethod = absent
        serverProtocol = absent
        timePrecision = 0
    }
}
