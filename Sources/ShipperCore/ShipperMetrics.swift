import Metrics

/// The shipper's metrics, recorded through swift-metrics (rendered on `/metrics` by the
/// runtime's Prometheus registry). Names:
///
/// | metric | type | labels |
/// |---|---|---|
/// | `edgelog_shipper_lines_read_total` | counter | |
/// | `edgelog_shipper_bytes_read_total` | counter | (file bytes the read lines stand for) |
/// | `edgelog_shipper_lines_unparsed_total` | counter | (shipped flagged, with their raw bytes) |
/// | `edgelog_shipper_lines_truncated_total` | counter | (shipped cut to max-line-bytes, flagged) |
/// | `edgelog_shipper_records_acknowledged_total` | counter | (request records: lines) |
/// | `edgelog_shipper_control_records_acknowledged_total` | counter | (fileStats records) |
/// | `edgelog_shipper_batches_sent_total` | counter | (first transmissions) |
/// | `edgelog_shipper_batches_resent_total` | counter | (same sequences, after a failure) |
/// | `edgelog_shipper_batches_in_flight` | gauge | (sent, not acknowledged) |
/// | `edgelog_shipper_buffered_bytes` | gauge | (open + waiting + in-flight batches) |
/// | `edgelog_shipper_reading_paused` | gauge | (1 while memory-limit stops reading) |
/// | `edgelog_shipper_lag_bytes` | gauge | (file bytes not yet read, all files) |
/// | `edgelog_shipper_files` | gauge | (file generations being shipped) |
/// | `edgelog_shipper_missing_checkpoints` | gauge | (checkpoints kept whose file is not found) |
/// | `edgelog_shipper_lost_bytes_total` | counter | `cause` (file side: deleted_unread, content_replaced, unfinished_line) |
/// | `edgelog_shipper_lost_lines_total` | counter | `cause` (broker side: rejected) |
/// | `edgelog_shipper_losses_total` | counter | `cause` (events of every cause, incl. sequence_gap, checkpoint_obsolete) |
/// | `edgelog_shipper_producer_ids_total` | counter | (InitProducerId answers taken) |
/// | `edgelog_shipper_checkpoints_written_total` | counter | |
/// | `edgelog_shipper_checkpoint_failures_total` | counter | (writes that failed and will be retried) |
/// | `edgelog_shipper_records_stored_before_total` | counter | (not sent again after a restart: stored under an earlier producer id) |
/// | `edgelog_shipper_checkpoints_voided_total` | counter | (producer state of another broker cluster: its files re-shipped from the checkpoint) |
/// | `edgelog_shipper_unknown_producer_total` | counter | (UNKNOWN_PRODUCER_ID answers: a new producer id, nothing lost) |
///
/// Tests pass their own `MetricsFactory`; the process uses the bootstrapped global one.
public final class ShipperMetrics: Sendable {
    let linesRead: Counter
    let bytesRead: Counter
    let linesUnparsed: Counter
    let linesTruncated: Counter
    let recordsAcknowledged: Counter
    let controlRecordsAcknowledged: Counter
    let batchesSent: Counter
    let batchesResent: Counter
    let batchesInFlight: Gauge
    let bufferedBytes: Gauge
    let readingPaused: Gauge
    let lagBytes: Gauge
    let files: Gauge
    let missingCheckpoints: Gauge
    let producerIds: Counter
    let checkpointsWritten: Counter
    let checkpointFailures: Counter
    let recordsStoredBefore: Counter
    let checkpointsVoided: Counter
    let unknownProducer: Counter
    private let lostBytes: [LossCause: Counter]
    private let lostLines: [LossCause: Counter]
    private let losses: [LossCause: Counter]

    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        func counter(_ label: String) -> Counter { Counter(label: label, factory: factory) }
        func gauge(_ label: String) -> Gauge { Gauge(label: label, factory: factory) }
        linesRead = counter("edgelog_shipper_lines_read_total")
        bytesRead = counter("edgelog_shipper_bytes_read_total")
        linesUnparsed = counter("edgelog_shipper_lines_unparsed_total")
        linesTruncated = counter("edgelog_shipper_lines_truncated_total")
        recordsAcknowledged = counter("edgelog_shipper_records_acknowledged_total")
        controlRecordsAcknowledged = counter("edgelog_shipper_control_records_acknowledged_total")
        batchesSent = counter("edgelog_shipper_batches_sent_total")
        batchesResent = counter("edgelog_shipper_batches_resent_total")
        batchesInFlight = gauge("edgelog_shipper_batches_in_flight")
        bufferedBytes = gauge("edgelog_shipper_buffered_bytes")
        readingPaused = gauge("edgelog_shipper_reading_paused")
        lagBytes = gauge("edgelog_shipper_lag_bytes")
        files = gauge("edgelog_shipper_files")
        missingCheckpoints = gauge("edgelog_shipper_missing_checkpoints")
        producerIds = counter("edgelog_shipper_producer_ids_total")
        checkpointsWritten = counter("edgelog_shipper_checkpoints_written_total")
        checkpointFailures = counter("edgelog_shipper_checkpoint_failures_total")
        recordsStoredBefore = counter("edgelog_shipper_records_stored_before_total")
        checkpointsVoided = counter("edgelog_shipper_checkpoints_voided_total")
        unknownProducer = counter("edgelog_shipper_unknown_producer_total")
        var lostBytes: [LossCause: Counter] = [:]
        var lostLines: [LossCause: Counter] = [:]
        var losses: [LossCause: Counter] = [:]
        for cause in LossCause.allCases {
            let dimensions = [("cause", cause.rawValue)]
            lostBytes[cause] = Counter(
                label: "edgelog_shipper_lost_bytes_total",
                dimensions: dimensions,
                factory: factory
            )
            lostLines[cause] = Counter(
                label: "edgelog_shipper_lost_lines_total",
                dimensions: dimensions,
                factory: factory
            )
            losses[cause] = Counter(label: "edgelog_shipper_losses_total", dimensions: dimensions, factory: factory)
        }
        self.lostBytes = lostBytes
        self.lostLines = lostLines
        self.losses = losses
    }

    /// Counts one loss event, with the bytes and lines it is known to cover.
    func countLoss(_ cause: LossCause, bytes: Int64 = 0, lines: Int64 = 0) {
        losses[cause]?.increment()
        if bytes > 0 { lostBytes[cause]?.increment(by: bytes) }
        if lines > 0 { lostLines[cause]?.increment(by: lines) }
    }
}
