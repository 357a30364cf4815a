/// The additive counters of one (minute, site) row, in column order.
///
/// This list is the contract between the consumer and PostgreSQL: the raw value is the column
/// name in the shard tables `site_minute`, `site_hour` and `site_day`, and in the coordinator's
/// views; `EdgelogSchemaTests` checks that the migrations create exactly these columns, in this
/// order, all `bigint NOT NULL DEFAULT 0`. Append only (DESIGN §2's evolution rule applies to the
/// tables too): a new counter is a new migration adding a column.
///
/// Every counter is a sum, so a delta flushed twice would count twice: exactly-once comes from
/// the progress compare-and-set in the same transaction (DESIGN §10.5), not from idempotent values.
public enum SiteCounter: String, CaseIterable, Sendable {
    /// Request records that parsed and were within the lateness bound.
    case requests
    /// `$body_bytes_sent` summed.
    case bodyBytes = "body_bytes"
    /// `$request_length` summed.
    case requestBytes = "request_bytes"

    case status1xx = "status_1xx"
    case status2xx = "status_2xx"
    case status3xx = "status_3xx"
    case status4xx = "status_4xx"
    case status5xx = "status_5xx"
    /// A status outside 100...599 (0 when nginx logged none).
    case statusOther = "status_other"

    case status200 = "status_200"
    case status301 = "status_301"
    case status302 = "status_302"
    case status304 = "status_304"
    case status400 = "status_400"
    case status403 = "status_403"
    case status404 = "status_404"
    case status429 = "status_429"
    case status499 = "status_499"
    case status500 = "status_500"
    case status502 = "status_502"
    case status503 = "status_503"
    case status504 = "status_504"

    case cacheHit = "cache_hit"
    case cacheMiss = "cache_miss"
    case cacheExpired = "cache_expired"
    case cacheStale = "cache_stale"
    case cacheUpdating = "cache_updating"
    case cacheRevalidated = "cache_revalidated"
    case cacheBypass = "cache_bypass"
    /// No `$upstream_cache_status` (the request never reached a cache): not a miss.
    case cacheNone = "cache_none"

    /// `$request_time` in microseconds, summed (mean latency = this / requests).
    case requestTimeUsSum = "request_time_us_sum"

    // The latency histogram: one counter per bucket of `LatencyHistogram.upperBoundsMicros`
    // (a request lands in the first bucket whose bound is >= its time), then the overflow.
    case latencyLe1ms = "latency_le_1ms"
    case latencyLe2ms = "latency_le_2ms"
    case latencyLe5ms = "latency_le_5ms"
    case latencyLe10ms = "latency_le_10ms"
    case latencyLe25ms = "latency_le_25ms"
    case latencyLe50ms = "latency_le_50ms"
    case latencyLe100ms = "latency_le_100ms"
    case latencyLe250ms = "latency_le_250ms"
    case latencyLe500ms = "latency_le_500ms"
    case latencyLe1s = "latency_le_1s"
    case latencyLe2500ms = "latency_le_2500ms"
    case latencyLe5s = "latency_le_5s"
    case latencyLe10s = "latency_le_10s"
    case latencyGt10s = "latency_gt_10s"

    /// Lines that did not parse (kept raw by the shipper), under the file's site label or
    /// `SiteName.unknown`, in the minute of the record's time when it has one, else of the
    /// partition's watermark when it was read, else of its Kafka record timestamp.
    case unparsed
    /// Lines the shipper cut at its line-length cap (parsed or not).
    case truncated
    /// Request records older than the partition's watermark minus the lateness bound: counted
    /// here, in the watermark's minute, for the record's site, and nowhere else.
    case rejectedLate = "rejected_late"

    /// Position of the counter in a row of `SiteCounter.count` values: its declaration order.
    ///
    /// A switch, not a table lookup, so `SiteCounter.x.index` folds to a constant on the hot
    /// path; `SiteCounterTests` checks it equals the position in `allCases`.
    @inlinable public var index: Int {
        switch self {
        case .requests: 0
        case .bodyBytes: 1
        case .requestBytes: 2
        case .status1xx: 3
        case .status2xx: 4
        case .status3xx: 5
        case .status4xx: 6
        case .status5xx: 7
        case .statusOther: 8
        case .status200: 9
        case .status301: 10
        case .status302: 11
        case .status304: 12
        case .status400: 13
        case .status403: 14
        case .status404: 15
        case .status429: 16
        case .status499: 17
        case .status500: 18
        case .status502: 19
        case .status503: 20
        case .status504: 21
        case .cacheHit: 22
        case .cacheMiss: 23
        case .cacheExpired: 24
        case .cacheStale: 25
        case .cacheUpdating: 26
        case .cacheRevalidated: 27
        case .cacheBypass: 28
        case .cacheNone: 29
        case .requestTimeUsSum: 30
        case .latencyLe1ms: 31
        case .latencyLe2ms: 32
        case .latencyLe5ms: 33
        case .latencyLe10ms: 34
        case .latencyLe25ms: 35
        case .latencyLe50ms: 36
        case .latencyLe100ms: 37
        case .latencyLe250ms: 38
        case .latencyLe500ms: 39
        case .latencyLe1s: 40
        case .latencyLe2500ms: 41
        case .latencyLe5s: 42
        case .latencyLe10s: 43
        case .latencyGt10s: 44
        case .unparsed: 45
        case .truncated: 46
        case .rejectedLate: 47
        }
    }

    /// Number of counters in a row.
    public static let count = 48

    /// Column names in order, for SQL the consumer writes (our constants, never data).
    public static var columnNames: [String] { allCases.map(\.rawValue) }
}
