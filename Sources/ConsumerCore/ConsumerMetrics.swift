import Metrics
import TrafficAggregation

/// The consumer's metrics, recorded through swift-metrics (rendered on `/metrics`). Names:
///
/// | metric | type | labels |
/// |---|---|---|
/// | `edgelog_consumer_records_total` | counter | (records read from the broker, every kind) |
/// | `edgelog_consumer_records_rejected_total` | counter | `cause` (late; undecodable, unknown_kind, retention_gap: in `rejected_records`) |
/// | `edgelog_consumer_records_unparsed_total` | counter | (lines the shipper could not parse, counted in `unparsed`) |
/// | `edgelog_consumer_lag_records` | gauge | `partition` (high watermark minus next offset) |
/// | `edgelog_consumer_rows_written_total` | counter | (minute rows upserted, all shards) |
/// | `edgelog_consumer_flushes_total` | counter | `shard` (committed transactions) |
/// | `edgelog_consumer_flush_failures_total` | counter | `shard` (failed attempts, retried) |
/// | `edgelog_consumer_flush_seconds` | timer | (one shard transaction, begin to commit) |
/// | `edgelog_consumer_flushes_in_progress` | gauge | (shard transactions open now) |
/// | `edgelog_consumer_pending_rows` | gauge | (rows aggregated, not yet committed) |
/// | `edgelog_consumer_fetching_paused` | gauge | (1 while max-pending-rows stops fetching) |
/// | `edgelog_consumer_partitions_fenced_total` | counter | (partitions given up to another consumer) |
/// | `edgelog_consumer_shard_committed_offset` | gauge | `shard`, `partition` |
/// | `edgelog_consumer_group_generation` | gauge | (group members only) |
/// | `edgelog_consumer_assigned_partitions` | gauge | (group members only; 0 while rebalancing) |
///
/// Tests pass their own `MetricsFactory`; the process uses the bootstrapped global one.
public final class ConsumerMetrics: Sendable {
    let records: Counter
    let rowsWritten: Counter
    let flushSeconds: Timer
    let flushesInProgress: Meter
    let pendingRows: Gauge
    let fetchingPaused: Gauge
    let partitionsFenced: Counter
    /// The consumer group generation this member last joined.
    let groupGeneration: Gauge
    /// Partitions the group assigned this member in the current generation.
    let assignedPartitions: Gauge
    private let lateRejected: Counter
    private let unparsed: Counter
    /// Records in `rejected_records` (undecodable, unknown kind); retention gaps are counted apart.
    private let dataRejected: Counter
    private let factory: any MetricsFactory

    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
        records = Counter(label: "edgelog_consumer_records_total", factory: factory)
        rowsWritten = Counter(label: "edgelog_consumer_rows_written_total", factory: factory)
        flushSeconds = Timer(label: "edgelog_consumer_flush_seconds", preferredDisplayUnit: .seconds, factory: factory)
        flushesInProgress = Meter(label: "edgelog_consumer_flushes_in_progress", factory: factory)
        pendingRows = Gauge(label: "edgelog_consumer_pending_rows", factory: factory)
        fetchingPaused = Gauge(label: "edgelog_consumer_fetching_paused", factory: factory)
        partitionsFenced = Counter(label: "edgelog_consumer_partitions_fenced_total", factory: factory)
        groupGeneration = Gauge(label: "edgelog_consumer_group_generation", factory: factory)
        assignedPartitions = Gauge(label: "edgelog_consumer_assigned_partitions", factory: factory)
        lateRejected = Counter(
            label: "edgelog_consumer_records_rejected_total", dimensions: [("cause", "late")], factory: factory)
        dataRejected = Counter(
            label: "edgelog_consumer_records_rejected_total", dimensions: [("cause", "undecodable_or_unknown")],
            factory: factory)
        unparsed = Counter(label: "edgelog_consumer_records_unparsed_total", factory: factory)
    }

    /// Counts what the aggregator decided between two of its statistics snapshots.
    func count(from before: AggregatorStatistics, to after: AggregatorStatistics) {
        if after.lateRecords > before.lateRecords {
            lateRejected.increment(by: Int(after.lateRecords - before.lateRecords))
        }
        if after.unparsedRecords > before.unparsedRecords {
            unparsed.increment(by: Int(after.unparsedRecords - before.unparsedRecords))
        }
        if after.rejectedRecords > before.rejectedRecords {
            dataRejected.increment(by: Int(after.rejectedRecords - before.rejectedRecords))
        }
    }

    func rejected(cause: String) -> Counter {
        Counter(label: "edgelog_consumer_records_rejected_total", dimensions: [("cause", cause)], factory: factory)
    }

    func lag(partition: Int32) -> Gauge {
        Gauge(label: "edgelog_consumer_lag_records", dimensions: [("partition", "\(partition)")], factory: factory)
    }

    func flushes(shard: Int) -> Counter {
        Counter(label: "edgelog_consumer_flushes_total", dimensions: [("shard", "\(shard)")], factory: factory)
    }

    func flushFailures(shard: Int) -> Counter {
        Counter(label: "edgelog_consumer_flush_failures_total", dimensions: [("shard", "\(shard)")], factory: factory)
    }

    func committedOffset(shard: Int, partition: Int32) -> Gauge {
        Gauge(
            label: "edgelog_consumer_shard_committed_offset",
            dimensions: [("shard", "\(shard)"), ("partition", "\(partition)")],
            factory: factory
        )
    }
}
