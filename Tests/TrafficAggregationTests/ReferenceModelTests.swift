import PipelineTestSupport
import AccessRecord
import Testing
import TrafficAggregation

/// A random stream through the aggregator and through a deliberately plain model of the
/// rules (dictionaries, no interning, no shards): the rows, summed over shards, must agree.
@Suite struct ReferenceModelTests {
    static let lateness: Int64 = 5 * 60_000_000

    /// The rules of DESIGN §5 written as directly as possible.
    struct Model {
        var watermark: Int64 = 0
        var rows: [RowKey: [SiteCounter: Int64]] = [:]
        var counted: [String: Int64] = [:]
        var shipped: [String: Int64] = [:]
        var unknownKinds: Int64 = 0

        static func minute(_ micros: Int64) -> Int64 {
            var seconds = micros / 1_000_000
            if micros % 1_000_000 < 0 { seconds -= 1 }
            var minute = seconds / 60
            if seconds % 60 < 0 { minute -= 1 }
            return minute * 60
        }

        mutating func bump(_ minute: Int64, _ site: String, _ counter: SiteCounter, _ by: Int64 = 1) {
            guard by != 0 else { return }
            rows[RowKey(minute: minute, site: site), default: [:]][counter, default: 0] += by
        }

        mutating func add(_ record: TestRecord, timestampMs: Int64) {
            if record.unknownKindOrdinal != nil {
                unknownKinds += 1
                return
            }
            let file = String(decoding: record.sourceFile, as: UTF8.self)
            if record.kind == .fileStats {
                shipped[file, default: 0] += Int64(record.shippedLines)
                return
            }
            let site = record.site.map { String(decoding: $0, as: UTF8.self) } ?? ""
            let name = site.isEmpty ? "(unknown)" : site
            let before = watermark
            if record.timeUs != 0 && (watermark == 0 || record.timeUs > watermark) { watermark = record.timeUs }
            counted[file, default: 0] += 1
            if record.timeUs != 0 && before != 0 && record.timeUs < before - ReferenceModelTests.lateness {
                bump(Self.minute(watermark), name, .rejectedLate)
                return
            }
            let minute = record.timeUs != 0
                ? Self.minute(record.timeUs)
                : (watermark != 0 ? Self.minute(watermark) : Self.minute(timestampMs * 1_000))
            if record.parseError {
                bump(minute, name, .unparsed)
                if record.truncated { bump(minute, name, .truncated) }
                return
            }
            bump(minute, name, .requests)
            bump(minute, name, .bodyBytes, Int64(record.bodyBytes))
            bump(minute, name, .requestBytes, Int64(record.requestLength))
            let classes: [SiteCounter] = [.status1xx, .status2xx, .status3xx, .status4xx, .status5xx]
            let statusClass = (100...599).contains(record.status) ? classes[Int(record.status) / 100 - 1] : .statusOther
            bump(minute, name, statusClass)
            if let code = SiteCounter(rawValue: "status_\(record.status)") { bump(minute, name, code) }
            let cacheNames = ["none", "hit", "miss", "expired", "stale", "updating", "revalidated", "bypass"]
            bump(minute, name, SiteCounter(rawValue: "cache_" + cacheNames[Int(record.cache.rawValue)])!)
            bump(minute, name, .requestTimeUsSum, Int64(record.requestTimeUs))
            let bounds: [UInt64] = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000].map { $0 * 1_000 }
            let bucket = bounds.firstIndex { record.requestTimeUs <= $0 } ?? bounds.count
            bump(minute, name, SiteCounter.allCases[SiteCounter.allCases.firstIndex(of: .latencyLe1ms)! + bucket])
            let fineBounds: [UInt64] = Array(0...10).map { $0 * 1_000 } + [1_000, 10_000, 100_000].flatMap { scale in
                [12, 15, 18, 22, 27, 33, 39, 47, 56, 68, 82, 100].map { $0 * scale as UInt64 }
            }
            if let fine = fineBounds.firstIndex(where: { record.requestTimeUs <= $0 }) {
                bump(minute, name, SiteCounter.allCases[SiteCounter.allCases.firstIndex(of: .latencyFineLe0ms)! + fine])
            }
            if record.truncated { bump(minute, name, .truncated) }
        }
    }

    static func randomStream(seed: UInt64, count: Int) -> [(TestRecord, Int64)] {
        var generator = SplitMix64(seed: seed)
        let sites = ["www.example.com", "shop.example.net", "api.example.org", "", "日本.example"]
        let files = ["/var/log/nginx/a.log", "/var/log/nginx/b.log"]
        let statuses: [UInt16] = [
            200, 200, 200, 204, 301, 302, 304, 400, 403, 404, 429, 499, 500, 502, 503, 504, 0, 101, 777,
        ]
        var clock = Minutes.micros(0)
        var stream: [(TestRecord, Int64)] = []
        for _ in 0..<count {
            clock += Int64.random(in: -2_000_000...3_000_000, using: &generator)
            var time = clock
            let roll = Int.random(in: 0..<100, using: &generator)
            if roll < 4 { time -= Int64.random(in: 0...(20 * 60_000_000), using: &generator) }  // maybe late
            if roll == 4 { time = 0 }
            var record: TestRecord
            if roll == 5 {
                record = .fileStats(sourceFile: files.randomElement(using: &generator)!,
                                    shipped: UInt64.random(in: 0...50, using: &generator))
            } else {
                record = .request(
                    sites.randomElement(using: &generator)!, timeUs: time,
                    status: statuses.randomElement(using: &generator)!,
                    bodyBytes: UInt64.random(in: 0...100_000, using: &generator),
                    requestLength: UInt64.random(in: 0...2_000, using: &generator),
                    requestTimeUs: UInt64.random(in: 0...12_000_000, using: &generator),
                    cache: AccessRecord.CacheStatus.allCases.randomElement(using: &generator)!,
                    truncated: roll % 17 == 0)
                if roll >= 90 {
                    let site = record.site
                    record = .unparsed(timeUs: time, truncated: roll == 95)
                    record.site = roll % 2 == 0 ? site : nil
                }
                if roll == 6 { record.unknownKindOrdinal = 9 }
                record.sourceFile = Array(files.randomElement(using: &generator)!.utf8)
            }
            stream.append((record, Int64.random(in: -1_000...2_000_000_000_000, using: &generator)))
        }
        return stream
    }

    @Test(arguments: [(1 as UInt64, 1), (2, 3), (3, 4), (4, 7)])
    func aggregatorAgreesWithThePlainModel(seed: UInt64, shards: Int) throws {
        let stream = Self.randomStream(seed: seed, count: 3_000)
        var model = Model()
        var aggregator = PartitionAggregator(
            topic: "t", partition: 2, ring: try ShardRing(shardCount: shards), latenessMicros: Self.lateness,
            resume: .fresh(shardCount: shards))
        var deltas: [ShardDelta] = []
        for (offset, (record, timestampMs)) in stream.enumerated() {
            model.add(record, timestampMs: timestampMs)
            try aggregator.add(record, offset: Int64(offset), timestampMs: timestampMs)
            if offset % 500 == 499 { deltas += (0..<shards).map { aggregator.takeDelta(shard: $0) } }
        }
        deltas += (0..<shards).map { aggregator.takeDelta(shard: $0) }
        #expect(merge(deltas) == model.rows)
        #expect(aggregator.watermarkMicros == model.watermark)
        var counted: [String: Int64] = [:]
        var shipped: [String: Int64] = [:]
        var unknown: Int64 = 0
        for delta in deltas {
            for row in delta.fileAudit {
                counted[row.sourceFile, default: 0] += row.countedLines
                shipped[row.sourceFile, default: 0] += row.shippedLines
            }
            unknown += delta.rejected.filter { $0.cause == .unknownKind }.map(\.count).reduce(0, +)
        }
        #expect(counted == model.counted)
        #expect(shipped.filter { $0.value != 0 } == model.shipped.filter { $0.value != 0 })
        #expect(unknown == model.unknownKinds && unknown > 0)
        #expect(model.rows.values.contains { $0[.rejectedLate] != nil })
    }
}
