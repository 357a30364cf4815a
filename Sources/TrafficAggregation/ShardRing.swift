/// Consistent hashing of a site name to one of `shardCount` PostgreSQL shards (DESIGN §6).
///
/// Every shard owns `virtualNodesPerShard` points on a 64-bit ring: point (i, v) is
/// `StableHash.hash("edgelog-shard-<i>-vnode-<v>")`. A key (the site's stored UTF-8 text)
/// belongs to the shard of the first point at or after `StableHash.hash(key)`, wrapping past
/// the largest point to the smallest. Adding shard N only adds points, so a key either stays
/// where it was or moves to shard N — about 1/(N+1) of the keys move (DESIGN §10.7 re-sharding).
///
/// Invariants: the mapping is a pure function of (shardCount, virtualNodesPerShard, key bytes),
/// identical in every process and on every platform (no `Hasher`); two points with the same
/// hash are ordered by shard id, so even a collision decides the same way everywhere.
public struct ShardRing: Sendable, Equatable {
    /// Shards the ring distributes over; ids are `0..<shardCount`.
    public let shardCount: Int
    /// Points per shard; more points spread keys more evenly (128: about ±10 % per shard).
    public let virtualNodesPerShard: Int
    /// Default number of virtual nodes per shard.
    public static let defaultVirtualNodesPerShard = 128

    /// Point hashes in ascending order; `owners[k]` is the shard of `points[k]`.
    private let points: [UInt64]
    private let owners: [Int32]

    /// Builds the ring. Throws when a count is outside what the ring supports (configuration).
    public init(shardCount: Int, virtualNodesPerShard: Int = ShardRing.defaultVirtualNodesPerShard)
        throws(ShardRingError)
    {
        guard (1...ShardRing.maximumShardCount).contains(shardCount) else {
            throw .invalidShardCount(shardCount)
        }
        guard (1...ShardRing.maximumVirtualNodesPerShard).contains(virtualNodesPerShard) else {
            throw .invalidVirtualNodeCount(virtualNodesPerShard)
        }
        self.shardCount = shardCount
        self.virtualNodesPerShard = virtualNodesPerShard
        var pairs: [(hash: UInt64, shard: Int32)] = []
        pairs.reserveCapacity(shardCount * virtualNodesPerShard)
        for shard in 0..<shardCount {
            for node in 0..<virtualNodesPerShard {
                pairs.append((StableHash.hash(Self.pointName(shard: shard, virtualNode: node)), Int32(shard)))
            }
        }
        pairs.sort { $0.hash != $1.hash ? $0.hash < $1.hash : $0.shard < $1.shard }
        points = pairs.map(\.hash)
        owners = pairs.map(\.shard)
    }

    /// Largest supported shard count (a shard id must fit PostgreSQL `smallint`).
    public static let maximumShardCount = 4096
    /// Largest supported number of virtual nodes per shard.
    public static let maximumVirtualNodesPerShard = 65_536

    /// The text hashed for point `virtualNode` of `shard`. Part of the ring's definition: never change it.
    public static func pointName(shard: Int, virtualNode: Int) -> String {
        "edgelog-shard-\(shard)-vnode-\(virtualNode)"
    }

    /// The shard of a site, given the bytes of its stored (sanitised) name.
    @inlinable
    public func shard(forSite site: UnsafeRawBufferPointer) -> Int {
        shard(forHash: StableHash.hash(site))
    }

    /// The shard of a site name (its UTF-8 bytes).
    public func shard(forSite site: String) -> Int {
        shard(forHash: StableHash.hash(site))
    }

    /// The shard owning the first point at or after `hash` (wrapping).
    ///
    /// - Complexity: O(log(shardCount × virtualNodesPerShard)).
    @usableFromInline
    func shard(forHash hash: UInt64) -> Int {
        points.withUnsafeBufferPointer { points in
            var low = 0
            var high = points.count
            while low < high {
                let middle = (low &+ high) >> 1
                if points[middle] < hash { low = middle &+ 1 } else { high = middle }
            }
            return Int(owners[low == points.count ? 0 : low])
        }
    }
}

/// Why a `ShardRing` could not be built.
public enum ShardRingError: Error, Equatable, Sendable {
    /// The shard count is not in `1...ShardRing.maximumShardCount`.
    case invalidShardCount(Int)
    /// The virtual node count is not in `1...ShardRing.maximumVirtualNodesPerShard`.
    case invalidVirtualNodeCount(Int)
}
