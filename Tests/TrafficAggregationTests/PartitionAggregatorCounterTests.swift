import AccessRecord
import Testing
import TrafficAggregation

/// Every counter of a small stream, expected values worked out by hand (one shard, so every
/// row is in shard 0).
@Suite struct PartitionAggregatorCounterTests {
    static let hour: Int64 = 3_600_000_000

    static func aggregator(shards: Int = 1, partition: Int32 = 0, lateness: Int64 = hour) throws
        -> PartitionAggregator
    {
        let ring = try ShardRing(shardCount: shards)
        return PartitionAggregator(
            topic: "edgelog.requests", partition: partition, ring: ring, latenessMicros: lateness,
            resume: .fresh(shardCount: shards))
    }

    /// A format without `$request_time` (nginx's default `combined`) measured no time: its
    /// requests count everywhere but in the latency histograms and the time sum, so they
    /// neither read as 0 ms requests nor pull the mean and the percentiles down.
    @Test func requestsWithoutALoggedTimeStayOutOfTheLatencyCounts() throws {
        var aggregator = try Self.aggregator()
        var untimed = TestRecord.request(timeUs: Minutes.micros(0, plusSeconds: 1), status: 200, bodyBytes: 10)
        untimed.requestTimeAbsent = true
        var untimedWithStaleTime = untimed
        untimedWithStaleTime.requestTimeUs = 7_000  // whatever the field holds: ignored
        try aggregator.add(
            [
                untimed, untimedWithStaleTime,
                .request(timeUs: Minutes.micros(0, plusSeconds: 2), status: 200, bodyBytes: 10, requestTimeUs: 1_500),
            ],
            from: 0, timestampMs: 1)
        let delta = aggregator.takeDelta(shard: 0)
        #expect(delta.nonZeroRows[RowKey(minute: Minutes.start(0), site: "www.example.com")] == [
            .requests: 3, .bodyBytes: 30, .status2xx: 3, .status200: 3, .cacheNone: 3,
            .requestTimeUsSum: 1_500, .latencyLe2ms: 1, .latencyFineLe2ms: 1,
        ])
    }

    @Test func handComputedStream() throws {
        var aggregator = try Self.aggregator()
        let m0 = { Minutes.micros(0, plusSeconds: $0) }
        let m1 = { Minutes.micros(1, plusSeconds: $0) }
        try aggregator.add(
            [
                .request(timeUs: m0(5), status: 200, bodyBytes: 1000, requestLength: 300, requestTimeUs: 800,
                         cache: .hit),
                .request(timeUs: m0(20), status: 404, bodyBytes: 50, requestLength: 200, requestTimeUs: 1500,
                         cache: .miss, truncated: true),
                .request(timeUs: m1(0), status: 503, requestLength: 100, requestTimeUs: 12_000_000),
                .request("shop.example.net", timeUs: m0(59), status: 302, bodyBytes: 10, requestLength: 150,
                         requestTimeUs: 250_000, cache: .expired),
                .request("shop.example.net", timeUs: m0(0), status: 0, cache: .bypass),
                .request("shop.example.net", timeUs: m1(0), status: 101, requestTimeUs: 1_000_001, cache: .stale),
                .unparsed(truncated: true),  // no site, no time: (unknown) in the watermark's minute (m1)
                .request(timeUs: m1(30), status: 499, bodyBytes: 7, requestLength: 1, requestTimeUs: 5_000_000,
                         cache: .updating),
                .request(timeUs: m1(31), status: 204, requestTimeUs: 10_000_000, cache: .revalidated),
                .request(timeUs: m0(1), status: 301, requestTimeUs: 2_000, cache: .hit),  // 90 s behind: in time
            ],
            from: 0,
            timestampMs: 1
        )
        #expect(aggregator.nextOffset == 10)
        #expect(aggregator.watermarkMicros == m1(31))
        #expect(aggregator.pendingRowCount(shard: 0) == 5 + 1)

        let delta = aggregator.takeDelta(shard: 0)
        #expect(delta.nextOffset == 10)
        #expect(delta.watermarkMicros == m1(31))
        #expect(delta.partition == 0 && delta.topic == "edgelog.requests" && delta.shard == 0)
        let expected: [RowKey: [SiteCounter: Int64]] = [
            RowKey(minute: Minutes.start(0), site: "www.example.com"): [
                .requests: 3, .bodyBytes: 1050, .requestBytes: 500,
                .status2xx: 1, .status3xx: 1, .status4xx: 1, .status200: 1, .status301: 1, .status404: 1,
                .cacheHit: 2, .cacheMiss: 1, .requestTimeUsSum: 4_300,
                .latencyLe1ms: 1, .latencyLe2ms: 2, .truncated: 1,
                .latencyFineLe1ms: 1, .latencyFineLe2ms: 2,
            ],
            RowKey(minute: Minutes.start(1), site: "www.example.com"): [
                .requests: 3, .bodyBytes: 7, .requestBytes: 101,
                .status2xx: 1, .status4xx: 1, .status5xx: 1, .status499: 1, .status503: 1,
                .cacheNone: 1, .cacheUpdating: 1, .cacheRevalidated: 1, .requestTimeUsSum: 27_000_000,
                .latencyLe5s: 1, .latencyLe10s: 1, .latencyGt10s: 1,
                .latencyFineLe5600ms: 1, .latencyFineLe10000ms: 1,
            ],
            RowKey(minute: Minutes.start(0), site: "shop.example.net"): [
                .requests: 2, .bodyBytes: 10, .requestBytes: 150,
                .status3xx: 1, .statusOther: 1, .status302: 1,
                .cacheExpired: 1, .cacheBypass: 1, .requestTimeUsSum: 250_000,
                .latencyLe1ms: 1, .latencyLe250ms: 1, .latencyFineLe0ms: 1, .latencyFineLe270ms: 1,
            ],
            RowKey(minute: Minutes.start(1), site: "shop.example.net"): [
                .requests: 1, .status1xx: 1, .cacheStale: 1, .requestTimeUsSum: 1_000_001, .latencyLe2500ms: 1,
                .latencyFineLe1200ms: 1,
            ],
            RowKey(minute: Minutes.start(1), site: "(unknown)"): [.unparsed: 1, .truncated: 1],
        ]
        #expect(delta.nonZeroRows == expected)
        #expect(delta.fileAudit == [
            FileAuditRow(edge: "edge-fra-01", sourceFile: "/var/log/nginx/access.log", shippedLines: 0,
                         lostLines: 0, lostBytes: 0, countedLines: 10, statsRecords: 0),
        ])
        #expect(delta.rejected.isEmpty)

        // forEachRow walks the same rows with the counters in column order.
        var walked = 0
        delta.forEachRow { minute, site, counters in
            #expect(counters.count == SiteCounter.count)
            let row = expected[RowKey(minute: minute, site: site)]
            #expect(Array(counters) == SiteCounter.allCases.map { row?[$0] ?? 0 })
            walked += 1
        }
        #expect(walked == 5)
    }

    /// Every status with its own counter, and classes at their edges (hand-made table).
    static let statusCases: [(UInt16, [SiteCounter])] = [
        (200, [.status2xx, .status200]),
        (301, [.status3xx, .status301]), (302, [.status3xx, .status302]), (304, [.status3xx, .status304]),
        (400, [.status4xx, .status400]), (403, [.status4xx, .status403]), (404, [.status4xx, .status404]),
        (429, [.status4xx, .status429]), (499, [.status4xx, .status499]), (500, [.status5xx, .status500]),
        (502, [.status5xx, .status502]), (503, [.status5xx, .status503]), (504, [.status5xx, .status504]),
        (100, [.status1xx]), (199, [.status1xx]), (201, [.status2xx]), (299, [.status2xx]), (399, [.status3xx]),
        (401, [.status4xx]), (501, [.status5xx]), (599, [.status5xx]), (0, [.statusOther]), (99, [.statusOther]),
        (600, [.statusOther]), (999, [.statusOther]), (65535, [.statusOther]),
    ]

    @Test(arguments: statusCases)
    func statusCounters(status: UInt16, counters: [SiteCounter]) throws {
        var aggregator = try Self.aggregator()
        try aggregator.add(.request(timeUs: Minutes.micros(0), status: status, requestTimeUs: 1), offset: 0)
        var expected: [SiteCounter: Int64] = [
            .requests: 1, .cacheNone: 1, .requestTimeUsSum: 1, .latencyLe1ms: 1, .latencyFineLe1ms: 1,
        ]
        for counter in counters { expected[counter] = 1 }
        #expect(aggregator.takeDelta(shard: 0).counters(minute: Minutes.start(0), site: "www.example.com") == expected)
    }

    @Test(arguments: [
        (AccessRecord.CacheStatus.none, SiteCounter.cacheNone), (.hit, .cacheHit), (.miss, .cacheMiss),
        (.expired, .cacheExpired), (.stale, .cacheStale), (.updating, .cacheUpdating),
        (.revalidated, .cacheRevalidated), (.bypass, .cacheBypass),
    ])
    func cacheCounters(cache: AccessRecord.CacheStatus, counter: SiteCounter) throws {
        var aggregator = try Self.aggregator()
        try aggregator.add(.request(timeUs: Minutes.micros(0), status: 200, cache: cache), offset: 0)
        let row = aggregator.takeDelta(shard: 0).counters(minute: Minutes.start(0), site: "www.example.com")
        #expect(row == [.requests: 1, .status2xx: 1, .status200: 1, .latencyLe1ms: 1, .latencyFineLe0ms: 1, counter: 1])
    }

    /// Values beyond Int64 (hostile UInt64 fields) saturate instead of trapping.
    @Test func hugeValuesSaturate() throws {
        var aggregator = try Self.aggregator()
        for offset in 0..<3 {
            try aggregator.add(
                .request(timeUs: Minutes.micros(0), status: 200, bodyBytes: .max, requestLength: .max / 2,
                         requestTimeUs: .max),
                offset: Int64(offset))
        }
        let delta = aggregator.takeDelta(shard: 0)
        let row = try #require(delta.counters(minute: Minutes.start(0), site: "www.example.com"))
        #expect(row[.bodyBytes] == .max)
        #expect(row[.requestBytes] == .max)
        #expect(row[.requestTimeUsSum] == .max)
        #expect(row[.latencyGt10s] == 3)
    }
}
