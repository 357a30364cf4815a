import Testing
import TrafficAggregation

/// The watermark and the lateness bound (DESIGN §5), with a one-minute bound so the numbers
/// stay small.
@Suite struct PartitionAggregatorLatenessTests {
    static let minute: Int64 = 60_000_000

    /// (the stream, the rows expected), worked out by hand.
    static var stream: [TestRecord] {
        [
            .request("a", timeUs: Minutes.micros(5)),  // watermark m5
            .request("a", timeUs: Minutes.micros(4, plusSeconds: 10)),  // bound m4+0: in time, m4
            .request("a", timeUs: Minutes.micros(3, plusSeconds: 59)),  // late: (m5, a)
            .request("b", timeUs: Minutes.micros(10)),  // watermark m10
            .request("b", timeUs: Minutes.micros(9)),  // exactly at the bound: in time, m9
            .request("b", timeUs: Minutes.micros(8, plusSeconds: 59)),  // late: (m10, b)
            .unparsed(site: "c", timeUs: Minutes.micros(2)),  // late beats unparsed: (m10, c)
            .request("a", timeUs: 0),  // no time: the watermark's minute, m10
        ]
    }

    static func parsed(_ count: Int64) -> [SiteCounter: Int64] {
        [
            .requests: count, .status2xx: count, .status200: count, .cacheNone: count, .latencyLe1ms: count,
            .latencyFineLe0ms: count,
        ]
    }

    static var expectedRows: [RowKey: [SiteCounter: Int64]] {
        var inTimeAndLate = parsed(1)
        inTimeAndLate[.rejectedLate] = 1
        return [
            RowKey(minute: Minutes.start(5), site: "a"): inTimeAndLate,
            RowKey(minute: Minutes.start(4), site: "a"): parsed(1),
            RowKey(minute: Minutes.start(10), site: "b"): inTimeAndLate,
            RowKey(minute: Minutes.start(9), site: "b"): parsed(1),
            RowKey(minute: Minutes.start(10), site: "c"): [.rejectedLate: 1],
            RowKey(minute: Minutes.start(10), site: "a"): parsed(1),
        ]
    }

    @Test func withinTheBoundCountsInItsMinuteBeyondItAsRejectedLate() throws {
        var aggregator = try PartitionAggregatorCounterTests.aggregator(lateness: Self.minute)
        try aggregator.add(Self.stream, from: 0)
        let delta = aggregator.takeDelta(shard: 0)
        #expect(delta.nonZeroRows == Self.expectedRows)
        #expect(delta.watermarkMicros == Minutes.micros(10))
        #expect(aggregator.statistics.lateRecords == 3)
        // Late records are still lines of their file.
        #expect(delta.fileAudit.map(\.countedLines) == [8])
    }

    /// Replaying from any flushed point, with the progress stored there, decides exactly as the
    /// uninterrupted run: the deltas before and after the crash add up to the same rows.
    @Test(arguments: 0...8)
    func replayFromAResumePointDecidesTheSame(flushAt: Int) throws {
        var first = try PartitionAggregatorCounterTests.aggregator(lateness: Self.minute)
        try first.add(Array(Self.stream.prefix(flushAt)), from: 0)
        let before = first.takeDelta(shard: 0)
        // The first run reads on without flushing, then crashes: that work is lost.
        try first.add(Array(Self.stream.dropFirst(flushAt)), from: Int64(flushAt))

        let resume = PartitionResume(shards: [
            ShardProgress(nextOffset: before.nextOffset, watermarkMicros: before.watermarkMicros),
        ])
        #expect(resume.startOffset == Int64(flushAt))
        var second = PartitionAggregator(
            topic: "edgelog.requests", partition: 0, ring: try ShardRing(shardCount: 1),
            latenessMicros: Self.minute, resume: resume)
        #expect(second.startOffset == Int64(flushAt))
        try second.add(Array(Self.stream.dropFirst(flushAt)), from: Int64(flushAt))
        let after = second.takeDelta(shard: 0)
        #expect(merge([before, after]) == Self.expectedRows)
        #expect(after.nextOffset == 8)
        #expect(after.watermarkMicros == Minutes.micros(10))
    }

    /// Times before 1970 floor to the minute that contains them.
    @Test func negativeTimestampsFloorCorrectly() throws {
        var aggregator = try PartitionAggregatorCounterTests.aggregator()
        try aggregator.add(
            [
                .request("old", timeUs: -1),
                .request("old", timeUs: -60_000_000),
                .request("old", timeUs: -60_000_001),
                .request("old", timeUs: -120_000_001),
            ],
            from: 0)
        #expect(aggregator.watermarkMicros == -1)
        let rows = aggregator.takeDelta(shard: 0).nonZeroRows
        #expect(rows == [
            RowKey(minute: -60, site: "old"): Self.parsed(2),
            RowKey(minute: -120, site: "old"): Self.parsed(1),
            RowKey(minute: -180, site: "old"): Self.parsed(1),
        ])
    }

    /// Before any watermark, a record without time uses its Kafka timestamp's minute; nothing
    /// is late before a watermark exists.
    @Test func withoutWatermarkTheKafkaTimestampDecides() throws {
        var aggregator = try PartitionAggregatorCounterTests.aggregator(lateness: 0)
        try aggregator.add(.unparsed(site: "x"), offset: 0, timestampMs: 1_700_000_000_123)
        try aggregator.add(.request("x", timeUs: 0), offset: 1, timestampMs: -1)
        #expect(aggregator.watermarkMicros == 0)
        try aggregator.add(.request("x", timeUs: Minutes.micros(0)), offset: 2)
        // Lateness 0: anything before the watermark is late.
        try aggregator.add(.request("x", timeUs: Minutes.micros(0) - 1), offset: 3)
        var late = [SiteCounter: Int64]()
        late[.rejectedLate] = 1
        var minute0 = Self.parsed(1)
        minute0[.unparsed] = 1
        minute0[.rejectedLate] = 1
        #expect(aggregator.takeDelta(shard: 0).nonZeroRows == [
            RowKey(minute: 1_699_999_980, site: "x"): minute0,
            RowKey(minute: -60, site: "x"): Self.parsed(1),
        ])
    }
}

/// Sums deltas per (minute, site), keeping non-zero counters: an independent fold used as the
/// expectation side (it only adds numbers).
func merge(_ deltas: [ShardDelta]) -> [RowKey: [SiteCounter: Int64]] {
    var result: [RowKey: [SiteCounter: Int64]] = [:]
    for delta in deltas {
        for row in delta.siteRows {
            let key = RowKey(minute: row.minuteEpochSeconds, site: row.site)
            for counter in SiteCounter.allCases where row[counter] != 0 {
                result[key, default: [:]][counter, default: 0] += row[counter]
            }
        }
    }
    return result
}
