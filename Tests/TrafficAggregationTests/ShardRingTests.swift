import Testing
import TrafficAggregation

@Suite struct ShardRingTests {
    static let sites = [
        "www.example.com", "shop.example.net", "api.example.org", "static.example.com", "(unknown)",
        "edge-fra-01\n/var/log/nginx/access.log", "café.example", "a",
    ]

    /// Placements pinned from an independent Python implementation (XXH64 + sorted points +
    /// first point at or after the key): any change here moves live sites between shards.
    @Test(arguments: [
        (1, [0, 0, 0, 0, 0, 0, 0, 0]),
        (2, [0, 0, 1, 0, 1, 1, 0, 0]),
        (3, [2, 0, 1, 0, 1, 1, 2, 0]),
        (4, [2, 0, 3, 0, 1, 1, 2, 0]),
        (8, [2, 0, 3, 0, 1, 1, 4, 6]),
    ])
    func goldenPlacements(shardCount: Int, expected: [Int]) throws {
        let ring = try ShardRing(shardCount: shardCount)
        #expect(Self.sites.map { ring.shard(forSite: $0) } == expected)
        // The byte and String entry points agree.
        let viaBytes = Self.sites.map { site in Array(site.utf8).withUnsafeBytes { ring.shard(forSite: $0) } }
        #expect(viaBytes == expected)
    }

    /// A key hashing above the largest point wraps to the smallest point's shard (Python
    /// reference: the key hashes to 0xffc6babac20f21e3, above the largest point
    /// 0xff53b0c237dfa3ef; the smallest point, 0x0004ca26d0efd216, is shard 2's).
    @Test func keysAboveTheLastPointWrapAround() throws {
        let ring = try ShardRing(shardCount: 3)
        #expect(StableHash.hash("wrap-442.example") == 0xFFC6_BABA_C20F_21E3)
        #expect(ring.shard(forSite: "wrap-442.example") == 2)
    }

    @Test func pointNamesAreTheDocumentedText() {
        #expect(ShardRing.pointName(shard: 2, virtualNode: 17) == "edgelog-shard-2-vnode-17")
    }

    /// 10,000 synthetic names over 3 shards: each shard within ±15 % of a third
    /// (the Python reference gives 3008 / 3580 / 3412).
    @Test func balanceOverThreeShards() throws {
        let ring = try ShardRing(shardCount: 3)
        var counts = [0, 0, 0]
        for index in 0..<10_000 { counts[ring.shard(forSite: "site-\(index).example.com")] += 1 }
        #expect(counts == [3008, 3580, 3412])
        for count in counts { #expect((2833...3833).contains(count), "\(counts)") }
    }

    /// Adding a fourth shard moves about a quarter of the sites, each to the new shard.
    @Test func addingAShardMovesOnlyItsShare() throws {
        let three = try ShardRing(shardCount: 3)
        let four = try ShardRing(shardCount: 4)
        var moved = 0
        for index in 0..<10_000 {
            let site = "site-\(index).example.com"
            let before = three.shard(forSite: site)
            let after = four.shard(forSite: site)
            if before != after {
                moved += 1
                #expect(after == 3, "\(site) moved from \(before) to \(after)")
            }
        }
        #expect((1500...3500).contains(moved), "\(moved) of 10000 moved")
    }

    @Test func everyShardIsUsedAndResultsAreInRange() throws {
        let ring = try ShardRing(shardCount: 5, virtualNodesPerShard: 16)
        var seen = Set<Int>()
        for index in 0..<2_000 {
            let shard = ring.shard(forSite: "s\(index)")
            #expect((0..<5).contains(shard))
            seen.insert(shard)
        }
        #expect(seen == Set(0..<5))
    }

    @Test func invalidCountsAreTypedErrors() {
        #expect(throws: ShardRingError.invalidShardCount(0)) { try ShardRing(shardCount: 0) }
        #expect(throws: ShardRingError.invalidShardCount(-2)) { try ShardRing(shardCount: -2) }
        #expect(throws: ShardRingError.invalidVirtualNodeCount(0)) {
            try ShardRing(shardCount: 2, virtualNodesPerShard: 0)
        }
    }
}
