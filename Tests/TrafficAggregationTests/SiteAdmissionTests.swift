import AccessRecord
import Testing
import TrafficAggregation

/// The per-minute site cap: which sites get rows, what is written where, and that a restart
/// that restores what the shards hold decides as the first run did.
@Suite struct SiteAdmissionTests {
    @Test func admitsFirstComersUpToTheCapPerMinute() {
        let admission = SiteAdmission(cap: 2, shardCount: 1)
        #expect(admission.admit(minute: 60, site: "a"))
        #expect(admission.admit(minute: 60, site: "b"))
        #expect(!admission.admit(minute: 60, site: "c"))
        #expect(admission.admit(minute: 60, site: "a"), "an admission is never withdrawn")
        #expect(admission.admit(minute: 120, site: "c"), "every minute has its own room")
        #expect(admission.admit(minute: 60, site: SiteName.unknown) && admission.admit(minute: 60, site: SiteName.other))
        #expect(admission.admittedCount(minute: 60) == 2, "the exempt names are not counted")
    }

    @Test func everyShardGetsEveryAdmissionOnce() {
        let admission = SiteAdmission(cap: 10, shardCount: 2)
        _ = admission.admit(minute: 60, site: "a")
        _ = admission.admit(minute: 60, site: "b")
        #expect(admission.newAdmissions(forShard: 0).map(\.site) == ["a", "b"])
        _ = admission.admit(minute: 60, site: "c")
        #expect(admission.newAdmissions(forShard: 0).map(\.site) == ["c"])
        #expect(admission.newAdmissions(forShard: 1).map(\.site) == ["a", "b", "c"])
        #expect(admission.newAdmissions(forShard: 1).isEmpty)
    }

    /// No cap is no `SiteAdmission`: every site keeps its own row.
    @Test func noCapAdmitsEverything() throws {
        var aggregator = PartitionAggregator(
            topic: "t", partition: 0, ring: try ShardRing(shardCount: 1), latenessMicros: 3_600_000_000,
            resume: .fresh(shardCount: 1))
        let t = Minutes.micros(0, plusSeconds: 1)
        try aggregator.add((0..<500).map { TestRecord.request("s\($0)", timeUs: t) }, from: 0)
        let rows = aggregator.takeDelta(shard: 0).siteRows
        #expect(rows.count == 500 && !rows.contains { $0.site == SiteName.other })
    }

    @Test func restoredAdmissionsDecideAsBefore() {
        let first = SiteAdmission(cap: 2, shardCount: 1)
        _ = first.admit(minute: 60, site: "a")
        _ = first.admit(minute: 60, site: "b")
        #expect(!first.admit(minute: 60, site: "c"))
        let written = first.newAdmissions(forShard: 0)
        let restarted = SiteAdmission(cap: 2, shardCount: 1)
        restarted.restore(written)
        #expect(!restarted.admit(minute: 60, site: "c"), "c folded before the crash and folds again")
        #expect(restarted.admit(minute: 60, site: "b"))
        #expect(restarted.newAdmissions(forShard: 0).isEmpty, "restored admissions are durable already")
    }

    /// Through the aggregator: with a cap of 2, the third site of a minute is counted under
    /// `(other)` (and as folded in its file's audit), on `(other)`'s shard.
    @Test func aggregatorFoldsSitesBeyondTheCap() throws {
        let ring = try ShardRing(shardCount: 3)
        let admission = SiteAdmission(cap: 2, shardCount: 3)
        var aggregator = PartitionAggregator(
            topic: "t", partition: 0, ring: ring, latenessMicros: 3_600_000_000, resume: .fresh(shardCount: 3),
            admission: admission)
        let t = Minutes.micros(0, plusSeconds: 1)
        try aggregator.add(
            [.request("a", timeUs: t), .request("b", timeUs: t), .request("c", timeUs: t), .request("d", timeUs: t),
             .request("c", timeUs: t), .request("a", timeUs: t)],
            from: 0)
        var requests: [String: Int64] = [:]
        var folded: Int64 = 0
        var counted: Int64 = 0
        for shard in 0..<3 {
            let delta = aggregator.takeDelta(shard: shard)
            for row in delta.siteRows {
                requests[row.site, default: 0] += row[.requests]
                #expect(ring.shard(forSite: row.site) == shard)
            }
            folded += delta.fileAudit.reduce(0) { $0 + $1.foldedLines }
            counted += delta.fileAudit.reduce(0) { $0 + $1.countedLines }
        }
        #expect(requests == ["a": 2, "b": 1, SiteName.other: 3])
        #expect(folded == 3 && counted == 6)
    }
}
