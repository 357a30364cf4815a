/// The additive counters of one (minute, site) row, in column order.
///
/// This list is the contract between the consumer and PostgreSQL: the raw value is the column
/// name in the shard tables `site_minute`, `site_hour` and `site_day`, and (except the fine
/// latency histogram, `isInAnalystViews`) in the coordinator's views; `EdgelogSchemaTests`
/// checks that the migrations create exactly these columns, in this order (0001's, then 0002's
/// `unique_ips`, then 0003's fine histogram, then 0004's attack counts), all `bigint NOT NULL
/// DEFAULT 0`. Append only (DESIGN §2's evolution rule applies to the
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

    // The fine latency histogram (migration 0003): one counter per bucket of
    // `LatencyHistogram.fineUpperBoundsMicros`, consecutive; requests slower than 10 s are only
    // in `latencyGt10s`. Each request is counted in one coarse and (up to 10 s) one fine bucket.
    case latencyFineLe0ms = "latency_fine_le_0ms"
    case latencyFineLe1ms = "latency_fine_le_1ms"
    case latencyFineLe2ms = "latency_fine_le_2ms"
    case latencyFineLe3ms = "latency_fine_le_3ms"
    case latencyFineLe4ms = "latency_fine_le_4ms"
    case latencyFineLe5ms = "latency_fine_le_5ms"
    case latencyFineLe6ms = "latency_fine_le_6ms"
    case latencyFineLe7ms = "latency_fine_le_7ms"
    case latencyFineLe8ms = "latency_fine_le_8ms"
    case latencyFineLe9ms = "latency_fine_le_9ms"
    case latencyFineLe10ms = "latency_fine_le_10ms"
    case latencyFineLe12ms = "latency_fine_le_12ms"
    case latencyFineLe15ms = "latency_fine_le_15ms"
    case latencyFineLe18ms = "latency_fine_le_18ms"
    case latencyFineLe22ms = "latency_fine_le_22ms"
    case latencyFineLe27ms = "latency_fine_le_27ms"
    case latencyFineLe33ms = "latency_fine_le_33ms"
    case latencyFineLe39ms = "latency_fine_le_39ms"
    case latencyFineLe47ms = "latency_fine_le_47ms"
    case latencyFineLe56ms = "latency_fine_le_56ms"
    case latencyFineLe68ms = "latency_fine_le_68ms"
    case latencyFineLe82ms = "latency_fine_le_82ms"
    case latencyFineLe100ms = "latency_fine_le_100ms"
    case latencyFineLe120ms = "latency_fine_le_120ms"
    case latencyFineLe150ms = "latency_fine_le_150ms"
    case latencyFineLe180ms = "latency_fine_le_180ms"
    case latencyFineLe220ms = "latency_fine_le_220ms"
    case latencyFineLe270ms = "latency_fine_le_270ms"
    case latencyFineLe330ms = "latency_fine_le_330ms"
    case latencyFineLe390ms = "latency_fine_le_390ms"
    case latencyFineLe470ms = "latency_fine_le_470ms"
    case latencyFineLe560ms = "latency_fine_le_560ms"
    case latencyFineLe680ms = "latency_fine_le_680ms"
    case latencyFineLe820ms = "latency_fine_le_820ms"
    case latencyFineLe1000ms = "latency_fine_le_1000ms"
    case latencyFineLe1200ms = "latency_fine_le_1200ms"
    case latencyFineLe1500ms = "latency_fine_le_1500ms"
    case latencyFineLe1800ms = "latency_fine_le_1800ms"
    case latencyFineLe2200ms = "latency_fine_le_2200ms"
    case latencyFineLe2700ms = "latency_fine_le_2700ms"
    case latencyFineLe3300ms = "latency_fine_le_3300ms"
    case latencyFineLe3900ms = "latency_fine_le_3900ms"
    case latencyFineLe4700ms = "latency_fine_le_4700ms"
    case latencyFineLe5600ms = "latency_fine_le_5600ms"
    case latencyFineLe6800ms = "latency_fine_le_6800ms"
    case latencyFineLe8200ms = "latency_fine_le_8200ms"
    case latencyFineLe10000ms = "latency_fine_le_10000ms"

    // Attack requests per class (migration 0004): requests the attack detector put in the
    // class (a request can be in several). Zero when the consumer runs without detection.
    case attacksSQLi = "attacks_sqli"
    case attacksXSS = "attacks_xss"
    case attacksTraversal = "attacks_traversal"
    case attacksScanner = "attacks_scanner"

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
        case .latencyFineLe0ms: 48
        case .latencyFineLe1ms: 49
        case .latencyFineLe2ms: 50
        case .latencyFineLe3ms: 51
        case .latencyFineLe4ms: 52
        case .latencyFineLe5ms: 53
        case .latencyFineLe6ms: 54
        case .latencyFineLe7ms: 55
        case .latencyFineLe8ms: 56
        case .latencyFineLe9ms: 57
        case .latencyFineLe10ms: 58
        case .latencyFineLe12ms: 59
        case .latencyFineLe15ms: 60
        case .latencyFineLe18ms: 61
        case .latencyFineLe22ms: 62
        case .latencyFineLe27ms: 63
        case .latencyFineLe33ms: 64
        case .latencyFineLe39ms: 65
        case .latencyFineLe47ms: 66
        case .latencyFineLe56ms: 67
        case .latencyFineLe68ms: 68
        case .latencyFineLe82ms: 69
        case .latencyFineLe100ms: 70
        case .latencyFineLe120ms: 71
        case .latencyFineLe150ms: 72
        case .latencyFineLe180ms: 73
        case .latencyFineLe220ms: 74
        case .latencyFineLe270ms: 75
        case .latencyFineLe330ms: 76
        case .latencyFineLe390ms: 77
        case .latencyFineLe470ms: 78
        case .latencyFineLe560ms: 79
        case .latencyFineLe680ms: 80
        case .latencyFineLe820ms: 81
        case .latencyFineLe1000ms: 82
        case .latencyFineLe1200ms: 83
        case .latencyFineLe1500ms: 84
        case .latencyFineLe1800ms: 85
        case .latencyFineLe2200ms: 86
        case .latencyFineLe2700ms: 87
        case .latencyFineLe3300ms: 88
        case .latencyFineLe3900ms: 89
        case .latencyFineLe4700ms: 90
        case .latencyFineLe5600ms: 91
        case .latencyFineLe6800ms: 92
        case .latencyFineLe8200ms: 93
        case .latencyFineLe10000ms: 94
        case .attacksSQLi: 95
        case .attacksXSS: 96
        case .attacksTraversal: 97
        case .attacksScanner: 98
        }
    }

    /// Number of counters in a row.
    public static let count = 99

    /// Column names in order, for SQL the consumer writes (our constants, never data).
    public static var columnNames: [String] { allCases.map(\.rawValue) }

    /// The attack counters, consecutive and in `AttackClasses` bit order (sqli, xss,
    /// traversal, scanner); `top_ip_minute` has columns of the same names.
    public static let attackCounters: [SiteCounter] = [.attacksSQLi, .attacksXSS, .attacksTraversal, .attacksScanner]

    /// Whether the coordinator's `minute_site`, `hour_site` and `day_site` show this counter:
    /// all but the fine latency histogram, which `latency_percentiles` reads from the tables
    /// (47 bucket columns would bury the view's columns an analyst reads).
    public var isInAnalystViews: Bool {
        index < SiteCounter.latencyFineLe0ms.index || index > SiteCounter.latencyFineLe10000ms.index
    }
}
