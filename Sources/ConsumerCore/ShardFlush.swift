import TrafficAggregation

/// What one shard transaction commits: for each partition, the deltas cut for this shard and
/// the progress that goes with them (DESIGN §10.5).
///
/// Invariant: a part's `delta.nextOffset` is at or after `expectedOffset` (progress only moves
/// forward), and the delta holds exactly the records of this shard between the two.
public struct ShardFlush: Sendable {
    public struct Part: Sendable {
        /// The deltas and the progress row (next offset, watermark) they bring the shard to.
        public var delta: ShardDelta
        /// What the shard's progress row for the partition holds before this flush; `nil` when
        /// it has none. The compare-and-set's expected value.
        public var expectedOffset: Int64?

        public init(delta: ShardDelta, expectedOffset: Int64?) {
            self.delta = delta
            self.expectedOffset = expectedOffset
        }

        public var partition: Int32 { delta.partition }
        /// The progress this part moves the shard to.
        public var targetOffset: Int64 { delta.nextOffset }
    }

    public var shard: Int
    public var topic: String
    /// The broker's cluster id, written into every progress row.
    public var clusterID: String
    /// This consumer process's id; a progress row claimed by another is fenced.
    public var consumerID: String
    public var parts: [Part]
    /// Sites the cap admitted that this shard has not stored yet (`SiteAdmission`): written in
    /// this transaction, before any row that may depend on them.
    public var admissions: [(minute: Int64, site: String)]

    public init(
        shard: Int, topic: String, clusterID: String, consumerID: String, parts: [Part],
        admissions: [(minute: Int64, site: String)] = []
    ) {
        self.shard = shard
        self.topic = topic
        self.clusterID = clusterID
        self.consumerID = consumerID
        self.parts = parts
        self.admissions = admissions
    }

    /// Minute rows over all parts (a measure of the memory the flush holds).
    public var rowCount: Int { parts.reduce(0) { $0 + $1.delta.rowCount } }
}

/// What became of a flush.
public struct ShardFlushOutcome: Sendable, Equatable {
    /// Partitions whose deltas and progress were committed, with the progress now stored.
    public var committed: [Int32: Int64] = [:]
    /// Partitions an earlier attempt already committed (the connection broke during COMMIT and
    /// the commit went through): their progress already equals the target, nothing re-applied.
    public var alreadyCommitted: [Int32: Int64] = [:]
    /// Partitions another consumer owns (DESIGN §10.5): it claimed the row after us, or the
    /// row holds neither the expected nor the target offset. Nothing of theirs was written.
    public var fenced: [Int32] = []
    /// Minute rows upserted.
    public var rowsWritten = 0

    public init() {}
}
