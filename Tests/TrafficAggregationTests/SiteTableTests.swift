import PipelineTestSupport
import Testing
import TrafficAggregation

@Suite struct SiteTableTests {
    @Test func idsAreDenseStableAndCarryNameAndShard() throws {
        let ring = try ShardRing(shardCount: 3)
        var table = SiteTable(ring: ring)
        let names = ["www.example.com", "shop.example.net", "api.example.org"]
        let ids = names.map { table.id(for: $0) }
        #expect(ids == [0, 1, 2])
        #expect(names.map { table.id(for: $0) } == [0, 1, 2])
        #expect(table.count == 3)
        for (id, name) in zip(ids, names) {
            #expect(table.name(of: id) == name)
        }
        // Shards from the pinned placements (ShardRingTests): 0, 0, 1... www → 2, shop → 0, api → 1.
        #expect(ids.map { table.shard(of: $0) } == [2, 0, 1])
    }

    /// Raw keys with the same stored text share one id, so a delta never holds one (minute,
    /// site) twice.
    @Test func rawKeysWithTheSameStoredTextShareAnId() throws {
        var table = SiteTable(ring: try ShardRing(shardCount: 2))
        let withNUL = [UInt8]([0x61, 0x00, 0x62]).withUnsafeBytes { table.id(for: $0) }
        let withReplacement = table.id(for: "a\u{FFFD}b")
        let withInvalid = [UInt8]([0x61, 0xFF, 0x62]).withUnsafeBytes { table.id(for: $0) }
        #expect(withNUL == withReplacement && withReplacement == withInvalid)
        let empty = [UInt8]().withUnsafeBytes { table.id(for: $0) }
        #expect(table.id(for: "(unknown)") == empty)
        #expect(table.name(of: empty) == "(unknown)")
        #expect(table.count == 2)
    }

    /// Canonically equivalent spellings are different text in PostgreSQL: they stay apart.
    @Test func canonicallyEquivalentSpellingsStayApart() throws {
        var table = SiteTable(ring: try ShardRing(shardCount: 1))
        let precomposed = table.id(for: "caf\u{E9}")
        let decomposed = table.id(for: "cafe\u{301}")
        #expect(precomposed != decomposed)
    }

    /// Many keys (well past the initial capacity), looked up in a different order and
    /// alternating with a remembered key: every lookup finds its own id.
    @Test func growthAndTheLastKeyMemoKeepLookupsRight() throws {
        var table = SiteTable(ring: try ShardRing(shardCount: 4), initialCapacity: 4)
        let names = (0..<5_000).map { "site-\($0).example.com" }
        for (index, name) in names.enumerated() { #expect(table.id(for: name) == Int32(index)) }
        var generator = SplitMix64(seed: 7)
        for index in names.indices.shuffled(using: &generator) {
            #expect(table.id(for: names[index]) == Int32(index))
            #expect(table.id(for: names[index]) == Int32(index))
            #expect(table.id(for: names[0]) == 0)
        }
        // Prefixes and extensions of known keys are different keys.
        #expect(table.id(for: "site-1.example.co") == 5_000)
        #expect(table.id(for: "site-1.example.comm") == 5_001)
        #expect(table.count == 5_002)
    }

    @Test func longHostileKeysAreInternedByTheirFullBytes() throws {
        var table = SiteTable(ring: try ShardRing(shardCount: 1))
        let long = Array(repeating: UInt8(ascii: "x"), count: 5_000)
        let longer = long + [UInt8(ascii: "x")]
        let first = long.withUnsafeBytes { table.id(for: $0) }
        let second = longer.withUnsafeBytes { table.id(for: $0) }
        // Both store the same 1,024-byte text, hence one id.
        #expect(first == second)
        #expect(table.name(of: first) == String(repeating: "x", count: 1_024))
        #expect(long.withUnsafeBytes { table.id(for: $0) } == first)
    }
}
