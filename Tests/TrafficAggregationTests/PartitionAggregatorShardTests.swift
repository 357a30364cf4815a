import PipelineTestSupport
import AccessRecord
import Testing
import TrafficAggregation

/// Routing to shards, the per-shard skip on resume (DESIGN §10.6), cutting deltas, rejected
/// records and the file audit, on a three-shard ring.
@Suite struct PartitionAggregatorShardTests {
    static let ring = try! ShardRing(shardCount: 3)
    static let hour: Int64 = 3_600_000_000

    /// A site on `shard` (searched with the ring, whose placements ShardRingTests pins).
    static func site(on shard: Int, _ skip: Int = 0) -> String {
        var found = 0
        for index in 0... {
            let name = "s\(index).example"
            if ring.shard(forSite: name) == shard {
                if found == skip { return name }
                found += 1
            }
        }
        fatalError("unreachable")
    }

    static func aggregator(partition: Int32 = 0, resume: PartitionResume? = nil) -> PartitionAggregator {
        PartitionAggregator(
            topic: "t", partition: partition, ring: ring, latenessMicros: hour,
            resume: resume ?? .fresh(shardCount: 3))
    }

    static func requests(_ delta: ShardDelta) -> [String: Int64] {
        var result: [String: Int64] = [:]
        for row in delta.siteRows { result[row.site, default: 0] += row[.requests] }
        return result
    }

    @Test func rowsGoToTheShardOfTheirSite() throws {
        var aggregator = Self.aggregator()
        let sites = (0..<3).map { Self.site(on: $0) }
        for (offset, site) in (sites + sites + [sites[2]]).enumerated() {
            try aggregator.add(.request(site, timeUs: Minutes.micros(0)), offset: Int64(offset))
        }
        #expect(aggregator.pendingRowCount == 6)
        for shard in 0..<3 {
            let delta = aggregator.takeDelta(shard: shard)
            #expect(Self.requests(delta) == [sites[shard]: shard == 2 ? 3 : 2])
            // The site's audit row (counted lines) sits with its rows.
            #expect(delta.fileAudit.map(\.countedLines) == [shard == 2 ? 3 : 2])
            #expect(delta.nextOffset == 7)
        }
    }

    /// Shard 1 is ahead (next offset 5), shards 0 and 2 at 2: reading starts at 2; shard 1's
    /// records below 5 are not counted again, the others' are.
    @Test func aShardAheadSkipsWhatItHasAlready() throws {
        let w2 = Minutes.micros(0, plusSeconds: 1)
        let w5 = Minutes.micros(0, plusSeconds: 4)
        let resume = PartitionResume(shards: [
            ShardProgress(nextOffset: 2, watermarkMicros: w2),
            ShardProgress(nextOffset: 5, watermarkMicros: w5),
            ShardProgress(nextOffset: 2, watermarkMicros: w2),
        ])
        #expect(resume.startOffset == 2)
        #expect(resume.startWatermarkMicros == w2)
        var aggregator = Self.aggregator(resume: resume)
        #expect(aggregator.startOffset == 2 && aggregator.nextOffset == 2 && aggregator.watermarkMicros == w2)
        let on0 = Self.site(on: 0)
        let on1 = Self.site(on: 1)
        // Offsets 2...7, alternating shard 0 and shard 1 sites, one second apart.
        for offset in Int64(2)...7 {
            let site = offset % 2 == 0 ? on0 : on1
            try aggregator.add(.request(site, timeUs: Minutes.micros(0, plusSeconds: offset - 1)), offset: offset)
            if offset == 3 {
                // Before reading passes shard 1's progress, its progress row stays as resumed.
                let early = aggregator.takeDelta(shard: 1)
                #expect(early.isEmpty)
                #expect(early.nextOffset == 5 && early.watermarkMicros == w5)
            }
        }
        #expect(aggregator.statistics.skippedRecords == 1)  // offset 3 (shard 1, below 5)
        let shard0 = aggregator.takeDelta(shard: 0)
        let shard1 = aggregator.takeDelta(shard: 1)
        let shard2 = aggregator.takeDelta(shard: 2)
        #expect(Self.requests(shard0) == [on0: 3])  // offsets 2, 4, 6
        #expect(Self.requests(shard1) == [on1: 2])  // offsets 5, 7 (not 3)
        #expect(shard2.isEmpty)
        for delta in [shard0, shard1, shard2] {
            #expect(delta.nextOffset == 8)
            #expect(delta.watermarkMicros == Minutes.micros(0, plusSeconds: 6))
        }
    }

    /// A three-shard stream cut at a different offset per shard (each shard's flush stored its
    /// own progress), then a crash, then a resume: per shard, the deltas before and after add
    /// up to the uninterrupted run's — nothing twice, nothing lost, the same late decisions.
    @Test(arguments: [[0, 0, 0], [3, 9, 6], [17, 2, 11], [20, 20, 20], [0, 20, 5]])
    func crashAndResumeWithDifferentProgressPerShard(cuts: [Int]) throws {
        var generator = SplitMix64(seed: UInt64(cuts.reduce(0) { $0 * 31 + $1 }))
        let sites = (0..<3).flatMap { shard in (0..<2).map { Self.site(on: shard, $0) } }
        var stream: [TestRecord] = []
        var clock = Minutes.micros(0)
        for index in 0..<20 {
            clock += Int64.random(in: 0...40_000_000, using: &generator)
            // Every fourth record is two hours old: late once the watermark is set.
            let time = index % 4 == 3 ? clock - 2 * Self.hour : clock
            var record = TestRecord.request(sites.randomElement(using: &generator)!, timeUs: time)
            if index % 7 == 5 {
                record = .unparsed(site: record.site.map { String(decoding: $0, as: UTF8.self) }, timeUs: time)
            }
            stream.append(record)
        }

        var whole = Self.aggregator()
        try whole.add(stream, from: 0)
        let expected = (0..<3).map { merge([whole.takeDelta(shard: $0)]) }

        var first = Self.aggregator()
        var before: [ShardDelta?] = [nil, nil, nil]
        for offset in 0...stream.count {
            for shard in 0..<3 where cuts[shard] == offset { before[shard] = first.takeDelta(shard: shard) }
            if offset < stream.count { try first.add(stream[offset], offset: Int64(offset)) }
        }
        let resume = PartitionResume(shards: before.map { delta in
            delta.map { ShardProgress(nextOffset: $0.nextOffset, watermarkMicros: $0.watermarkMicros) }
        })
        #expect(resume.startOffset == Int64(cuts.min()!))
        var second = Self.aggregator(resume: resume)
        try second.add(Array(stream.dropFirst(cuts.min()!)), from: Int64(cuts.min()!))
        for shard in 0..<3 {
            let after = second.takeDelta(shard: shard)
            #expect(merge([before[shard]!, after]) == expected[shard], "shard \(shard)")
            #expect(after.nextOffset == 20)
        }
    }

    @Test func takeDeltaCutsAndResets() throws {
        var aggregator = Self.aggregator()
        let site = Self.site(on: 2)
        try aggregator.add(.request(site, timeUs: Minutes.micros(0)), offset: 0)
        try aggregator.add(.request(site, timeUs: Minutes.micros(1)), offset: 1)
        #expect(aggregator.pendingRowCount(shard: 2) == 3)
        let first = aggregator.takeDelta(shard: 2)
        #expect(first.siteRows.count == 2 && first.rowCount == 3)
        #expect(aggregator.pendingRowCount(shard: 2) == 0)
        let again = aggregator.takeDelta(shard: 2)
        #expect(again.isEmpty)
        #expect(again.nextOffset == 2 && again.watermarkMicros == Minutes.micros(1))
        try aggregator.add(.request(site, timeUs: Minutes.micros(1)), offset: 2)
        let third = aggregator.takeDelta(shard: 2)
        #expect(merge([third]) == [
            RowKey(minute: Minutes.start(1), site: site): PartitionAggregatorLatenessTests.parsed(1),
        ])
        #expect(third.fileAudit.map(\.countedLines) == [1])
        // The first delta kept its own values (the reset did not reach into it).
        #expect(merge([first]).count == 2)
    }

    /// Records below `nextOffset` (a fetch returns whole batches) are ignored.
    @Test func recordsBelowTheReadingPositionAreIgnored() throws {
        var aggregator = Self.aggregator()
        try aggregator.add(.request("x", timeUs: Minutes.micros(0)), offset: 5)
        try aggregator.add(.request("x", timeUs: Minutes.micros(9)), offset: 3)
        try aggregator.add(.request("x", timeUs: Minutes.micros(9)), offset: 5)
        #expect(aggregator.nextOffset == 6)
        #expect(aggregator.watermarkMicros == Minutes.micros(0))
        #expect(aggregator.statistics.ignoredRecords == 2)
        let shard = Self.ring.shard(forSite: "x")
        #expect(Self.requests(aggregator.takeDelta(shard: shard)) == ["x": 1])
    }

    /// Unknown kinds, undecodable values and retention gaps go to the rejected rows of shard
    /// `partition % 3`, per cause with count and offsets.
    @Test func rejectedRecordsArePerCauseOnThePartitionsShard() throws {
        var aggregator = Self.aggregator(partition: 4)
        var unknown = TestRecord.request("x", timeUs: Minutes.micros(0))
        unknown.unknownKindOrdinal = 7
        let message = try unknown.encoded()
        try message.withUnsafeBytes { raw in
            let reader = try AccessRecordReader(raw)
            #expect(reader.kindOrdinal == 7)
            #expect(reader.kind == .request)  // what the enum says: hence the raw check
            aggregator.add(reader, offset: 10, timestampMs: 0)
        }
        aggregator.reject(offset: 11, cause: .undecodable)
        try aggregator.add(unknown, offset: 12)
        aggregator.reject(offset: 14, cause: .undecodable)
        aggregator.rejectGap(upTo: 100, cause: .retentionGap)
        aggregator.rejectGap(upTo: 90, cause: .retentionGap)  // behind: nothing
        #expect(aggregator.nextOffset == 100)
        #expect(aggregator.watermarkMicros == 0)
        let delta = aggregator.takeDelta(shard: 1)
        #expect(delta.rejected == [
            RejectedRow(cause: .undecodable, count: 2, firstOffset: 11, lastOffset: 14),
            RejectedRow(cause: .unknownKind, count: 2, firstOffset: 10, lastOffset: 12),
            RejectedRow(cause: .retentionGap, count: 85, firstOffset: 15, lastOffset: 99),
        ])
        #expect(delta.siteRows.isEmpty && delta.fileAudit.isEmpty)
        #expect(aggregator.takeDelta(shard: 0).isEmpty && aggregator.takeDelta(shard: 2).isEmpty)
        #expect(RejectCause.allCases.map(\.rawValue) == ["undecodable", "unknown_kind", "retention_gap"])
    }

    /// A gap partly below the reject shard's progress counts only the offsets above it.
    @Test func retentionGapBelowTheShardsProgressIsSkipped() {
        let resume = PartitionResume(shards: [
            ShardProgress(nextOffset: 10, watermarkMicros: 0),
            ShardProgress(nextOffset: 40, watermarkMicros: 0),
            ShardProgress(nextOffset: 10, watermarkMicros: 0),
        ])
        var aggregator = Self.aggregator(partition: 1, resume: resume)
        aggregator.rejectGap(upTo: 50, cause: .retentionGap)
        #expect(aggregator.takeDelta(shard: 1).rejected == [
            RejectedRow(cause: .retentionGap, count: 10, firstOffset: 40, lastOffset: 49),
        ])
        #expect(aggregator.statistics.skippedRecords == 30)
    }

    /// fileStats counts land on the shard of "edge\nfile"; each request's counted line on its
    /// site's shard; summed over shards, shipped == counted per file.
    @Test func fileStatsAuditBalancesOverShards() throws {
        var aggregator = Self.aggregator()
        let fileA = "/var/log/nginx/access.log"
        let fileB = "/var/log/nginx/other.log"
        var stream: [TestRecord] = []
        for index in 0..<9 {
            var record = TestRecord.request(Self.site(on: index % 3), timeUs: Minutes.micros(0))
            record.edge = Array("edge-fra-01".utf8)
            record.sourceFile = Array((index < 6 ? fileA : fileB).utf8)
            if index == 4 { record = .unparsed(site: nil, timeUs: 0) }
            stream.append(record)
        }
        stream.append(.fileStats(edge: "edge-fra-01", sourceFile: fileA, shipped: 6, lost: 1, lostBytes: 120))
        stream.append(.fileStats(edge: "edge-fra-01", sourceFile: fileB, shipped: 3))
        try aggregator.add(stream, from: 0)

        var totals: [String: (shipped: Int64, counted: Int64, lost: Int64, lostBytes: Int64, stats: Int64)] = [:]
        var statsShard: [String: Int] = [:]
        for shard in 0..<3 {
            for row in aggregator.takeDelta(shard: shard).fileAudit {
                #expect(row.edge == "edge-fra-01")
                var total = totals[row.sourceFile] ?? (0, 0, 0, 0, 0)
                total.shipped += row.shippedLines
                total.counted += row.countedLines
                total.lost += row.lostLines
                total.lostBytes += row.lostBytes
                total.stats += row.statsRecords
                totals[row.sourceFile] = total
                if row.statsRecords > 0 { statsShard[row.sourceFile] = shard }
            }
        }
        #expect(totals[fileA]?.shipped == 6 && totals[fileA]?.counted == 6)
        #expect(totals[fileA]?.lost == 1 && totals[fileA]?.lostBytes == 120 && totals[fileA]?.stats == 1)
        #expect(totals[fileB]?.shipped == 3 && totals[fileB]?.counted == 3 && totals[fileB]?.stats == 1)
        // Python reference (ShardRingTests): "edge-fra-01\n/var/log/nginx/access.log" → shard 1.
        #expect(statsShard[fileA] == 1)
        #expect(statsShard[fileB] == Self.ring.shard(forSite: "edge-fra-01\n" + fileB))
    }

    /// The lost bytes' parts by cause add up per file like the total, on the file's audit
    /// shard; a record from a shipper before the parts adds to the total only.
    @Test func fileStatsLostBytesByCauseAddUp() throws {
        var aggregator = Self.aggregator()
        let file = "/var/log/nginx/access.log"
        try aggregator.add([
            .fileStats(sourceFile: file, shipped: 2, lostBytes: 100, lostBytesReplaced: 30, lostBytesUnfinished: 5),
            .fileStats(sourceFile: file, shipped: 1, lostBytes: 50, lostBytesReplaced: 0, lostBytesUnfinished: 12),
            .fileStats(sourceFile: file, shipped: 1, lostBytes: 7),
        ], from: 0)
        let rows = (0..<3).flatMap { aggregator.takeDelta(shard: $0).fileAudit }
        #expect(rows == [
            FileAuditRow(edge: "edge-fra-01", sourceFile: file, shippedLines: 4, lostLines: 0, lostBytes: 157,
                         countedLines: 0, statsRecords: 3, lostBytesReplaced: 30, lostBytesUnfinished: 17),
        ])
    }

    /// Missing or hostile site bytes: `(unknown)`, U+FFFD for invalid UTF-8 and NUL, 1,024
    /// bytes at most; raw spellings of one stored name share one row.
    @Test func emptyAndHostileSites() throws {
        let ring = try ShardRing(shardCount: 1)
        var aggregator = PartitionAggregator(
            topic: "t", partition: 0, ring: ring, latenessMicros: Self.hour, resume: .fresh(shardCount: 1))
        var records: [TestRecord] = []
        func request(_ site: [UInt8]?) -> TestRecord {
            var record = TestRecord.request(timeUs: Minutes.micros(0))
            record.site = site
            return record
        }
        records.append(request(nil))  // format without $host, no label
        records.append(request([]))  // present but empty
        records.append(request(Array("(unknown)".utf8)))
        records.append(.unparsed(site: nil, timeUs: Minutes.micros(0)))
        records.append(request([0x61, 0x00, 0x62]))
        records.append(request([0x61, 0xFF, 0x62]))
        records.append(request(Array(repeating: UInt8(ascii: "z"), count: 5_000)))
        var badEdge = request(Array("ok".utf8))
        badEdge.edge = [0x65, 0x00]
        badEdge.sourceFile = [0xFF]
        records.append(badEdge)
        try aggregator.add(records, from: 0)
        let delta = aggregator.takeDelta(shard: 0)
        let parsed = PartitionAggregatorLatenessTests.parsed
        var unknown = parsed(3)
        unknown[.unparsed] = 1
        #expect(delta.nonZeroRows == [
            RowKey(minute: Minutes.start(0), site: "(unknown)"): unknown,
            RowKey(minute: Minutes.start(0), site: "a\u{FFFD}b"): parsed(2),
            RowKey(minute: Minutes.start(0), site: String(repeating: "z", count: 1_024)): parsed(1),
            RowKey(minute: Minutes.start(0), site: "ok"): parsed(1),
        ])
        #expect(Set(delta.fileAudit.map { "\($0.edge)|\($0.sourceFile)|\($0.countedLines)" }) == [
            "edge-fra-01|/var/log/nginx/access.log|7", "e\u{FFFD}|\u{FFFD}|1",
        ])
        for row in delta.siteRows { #expect(!row.site.utf8.contains(0) && row.site.utf8.count <= 1_024) }
    }

    @Test func resumeValidation() {
        let good = PartitionResume(shards: [nil, ShardProgress(nextOffset: 4, watermarkMicros: 9)])
        #expect(throws: Never.self) { try good.validate(shardCount: 2) }
        #expect(good.startOffset == 0 && good.startWatermarkMicros == 0)
        #expect(throws: PartitionResumeError.shardCountMismatch(expected: 3, found: 2)) {
            try good.validate(shardCount: 3)
        }
        let negative = PartitionResume(shards: [ShardProgress(nextOffset: -1, watermarkMicros: 0)])
        #expect(throws: PartitionResumeError.negativeOffset(shard: 0, nextOffset: -1)) {
            try negative.validate(shardCount: 1)
        }
        let tied = PartitionResume(shards: [
            ShardProgress(nextOffset: 7, watermarkMicros: 5), ShardProgress(nextOffset: 9, watermarkMicros: 50),
            ShardProgress(nextOffset: 7, watermarkMicros: 6),
        ])
        #expect(tied.startOffset == 7 && tied.startWatermarkMicros == 6)
    }
}

@Suite struct PartitionResumeTests {
    @Test func offsetsAndOneWatermark() {
        let resume = PartitionResume(shardOffsets: [7, 9, 7], watermarkMicros: 42)
        #expect(resume.startOffset == 7 && resume.startWatermarkMicros == 42)
        #expect(resume.shards == [
            ShardProgress(nextOffset: 7, watermarkMicros: 42), ShardProgress(nextOffset: 9, watermarkMicros: 42),
            ShardProgress(nextOffset: 7, watermarkMicros: 42),
        ])
        // A shard without progress: start at 0 with no watermark.
        let partial = PartitionResume(shardOffsets: [nil, 9], watermarkMicros: 42)
        #expect(partial.startOffset == 0 && partial.startWatermarkMicros == 0)
        #expect(PartitionResume.fresh(shardCount: 2).shards == [nil, nil])
    }
}
