/// One shard's committed progress for one partition: the row stored with its last flush.
public struct ShardProgress: Sendable, Equatable {
    /// The next offset the shard has not counted (every record below it is in the shard).
    public var nextOffset: Int64
    /// The partition's watermark (µs, 0 = none yet) after reading up to `nextOffset`.
    public var watermarkMicros: Int64

    public init(nextOffset: Int64, watermarkMicros: Int64) {
        self.nextOffset = nextOffset
        self.watermarkMicros = watermarkMicros
    }
}

/// Where a partition's aggregation resumes after a start or restart (DESIGN §10.6).
///
/// Reading resumes at the smallest progress among the shards (`startOffset`), with the
/// watermark stored with that progress; each shard then skips the records below its own
/// progress. Because the watermark is a pure function of the partition's records up to an
/// offset, the replayed records get the same lateness decisions they got the first time.
public struct PartitionResume: Sendable, Equatable {
    /// Per shard id: its progress row, or `nil` when it has none (it counts from the log start).
    public var shards: [ShardProgress?]

    public init(shards: [ShardProgress?]) {
        self.shards = shards
    }

    /// Progress given as each shard's next offset (`nil`: no row) and one watermark, the one
    /// stored with the smallest offset — what a consumer has when it keeps only that row.
    ///
    /// Exact for every shard at the smallest offset. A shard further ahead gets `watermarkMicros`
    /// too, a lower bound of its own (the watermark never decreases along the log); it matters
    /// only if that shard's progress row is rewritten before reading passes it, which is never
    /// needed: its delta stays empty and its offset unchanged until then. Prefer
    /// `init(shards:)` with each row's own watermark.
    public init(shardOffsets: [Int64?], watermarkMicros: Int64) {
        let hasEveryShard = !shardOffsets.contains(nil)
        shards = shardOffsets.map { offset in
            offset.map { ShardProgress(nextOffset: $0, watermarkMicros: hasEveryShard ? watermarkMicros : 0) }
        }
    }

    /// No shard has progress: read from offset 0.
    public static func fresh(shardCount: Int) -> PartitionResume {
        PartitionResume(shards: Array(repeating: nil, count: shardCount))
    }

    /// Checks progress read from the shards before it is trusted: one entry per shard of the
    /// ring and no negative offset (what `PartitionAggregator.init` requires).
    public func validate(shardCount: Int) throws(PartitionResumeError) {
        guard shards.count == shardCount else {
            throw .shardCountMismatch(expected: shardCount, found: shards.count)
        }
        for (shard, progress) in shards.enumerated() {
            if let progress, progress.nextOffset < 0 {
                throw .negativeOffset(shard: shard, nextOffset: progress.nextOffset)
            }
        }
    }

    /// The smallest next offset over the shards (0 for a shard without progress).
    public var startOffset: Int64 {
        shards.map { $0?.nextOffset ?? 0 }.min() ?? 0
    }

    /// The watermark stored with the smallest progress (0 when a shard has none). Shards at
    /// the same offset hold the same watermark (it is a function of the offset); should they
    /// not, the largest is taken so the choice does not depend on shard order.
    public var startWatermarkMicros: Int64 {
        let start = startOffset
        var watermark: Int64?
        for progress in shards {
            guard let progress else { return 0 }
            if progress.nextOffset == start {
                watermark = max(watermark ?? progress.watermarkMicros, progress.watermarkMicros)
            }
        }
        return watermark ?? 0
    }
}

/// Why stored progress cannot resume a partition.
public enum PartitionResumeError: Error, Equatable, Sendable {
    /// Progress for another number of shards than the ring has (re-shard without a drain?).
    case shardCountMismatch(expected: Int, found: Int)
    /// A progress row with a negative next offset.
    case negativeOffset(shard: Int, nextOffset: Int64)
}
