import Synchronization
import KafkaProtocol
import Metrics

/// The broker's metrics, recorded through swift-metrics (rendered on `/metrics` by the runtime's
/// Prometheus registry). Names:
///
/// | metric | type | labels |
/// |---|---|---|
/// | `edgelog_broker_requests_total` | counter | `api` (Produce, Fetch, …, or `unknown`) |
/// | `edgelog_broker_produce_bytes_total` | counter | |
/// | `edgelog_broker_produce_records_total` | counter | |
/// | `edgelog_broker_fetch_bytes_total` | counter | |
/// | `edgelog_broker_connections` | gauge | (open client connections) |
/// | `edgelog_broker_connections_accepted_total` | counter | |
/// | `edgelog_broker_connections_rejected_total` | counter | `reason` (`network`, `limit`) |
/// | `edgelog_broker_connections_closed_for_protocol_errors_total` | counter | |
/// | `edgelog_broker_errors_total` | counter | `code` (Kafka error name) |
/// | `edgelog_broker_produce_requests_in_flight` | gauge | (Produce requests dispatched: appending or awaiting their fsync) |
/// | `edgelog_broker_fsyncs_total` | counter | (syncs of a partition log for acks or the interval) |
/// | `edgelog_broker_duplicate_batches_total` | counter | (idempotent batches already stored, not stored again) |
/// | `edgelog_broker_duplicate_records_dropped_total` | counter | (records of those and of trimmed batches) |
/// | `edgelog_broker_trimmed_batches_total` | counter | (batches that partly overlapped; only new records stored) |
/// | `edgelog_broker_producer_snapshots_total` | counter | (producer state snapshots written) |
/// | `edgelog_broker_retention_deleted_segments_total` | counter | `reason` (`age`, `size`, `disk-limit`) |
/// | `edgelog_broker_retention_forced_loss_records_total` | counter | (records deleted by the disk limit before every live group consumed them: a loss) |
/// | `edgelog_broker_log_resets_total` | counter | (partition logs reset after a failed fsync) |
/// | `edgelog_broker_recovery_validated_batches_total` | counter | (batches start-up recovery read whole and CRC-checked, after each partition's recovery point) |
/// | `edgelog_broker_recovery_truncated_bytes_total` | counter | (bytes start-up recovery cut: torn or damaged batches and the segments after them) |
///
/// Tests pass their own `MetricsFactory`; the process uses the bootstrapped global one.
public final class BrokerMetrics: Sendable {
    private let factory: any MetricsFactory
    private let requests: [Int16: Counter]
    private let unknownRequests: Counter
    let produceBytes: Counter
    let produceRecords: Counter
    let fetchBytes: Counter
    let openConnections: Gauge
    let acceptedConnections: Counter
    let rejectedByNetwork: Counter
    let rejectedByLimit: Counter
    let protocolErrorCloses: Counter
    private let errors = Mutex<[Int16: Counter]>([:])
    let fsyncs: Counter
    let duplicateBatches: Counter
    let duplicateRecordsDropped: Counter
    let trimmedBatches: Counter
    let producerSnapshots: Counter
    let deletedByAge: Counter
    let deletedBySize: Counter
    let deletedByDiskLimit: Counter
    let forcedLossRecords: Counter
    let logResets: Counter
    let recoveryValidatedBatches: Counter
    let recoveryTruncatedBytes: Counter
    private let producesInFlightGauge: Gauge
    private let producesInFlightCount = Mutex(0)
    private let fsyncCount = Mutex(Int64(0))

    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
        var requests: [Int16: Counter] = [:]
        for key in ApiKey.allCases {
            requests[key.rawValue] = Counter(
                label: "edgelog_broker_requests_total",
                dimensions: [("api", key.description)],
                factory: factory
            )
        }
        self.requests = requests
        unknownRequests = Counter(
            label: "edgelog_broker_requests_total",
            dimensions: [("api", "unknown")],
            factory: factory
        )
        produceBytes = Counter(label: "edgelog_broker_produce_bytes_total", factory: factory)
        produceRecords = Counter(label: "edgelog_broker_produce_records_total", factory: factory)
        fetchBytes = Counter(label: "edgelog_broker_fetch_bytes_total", factory: factory)
        openConnections = Gauge(label: "edgelog_broker_connections", factory: factory)
        acceptedConnections = Counter(label: "edgelog_broker_connections_accepted_total", factory: factory)
        rejectedByNetwork = Counter(
            label: "edgelog_broker_connections_rejected_total",
            dimensions: [("reason", "network")],
            factory: factory
        )
        rejectedByLimit = Counter(
            label: "edgelog_broker_connections_rejected_total",
            dimensions: [("reason", "limit")],
            factory: factory
        )
        protocolErrorCloses = Counter(
            label: "edgelog_broker_connections_closed_for_protocol_errors_total",
            factory: factory
        )
        fsyncs = Counter(label: "edgelog_broker_fsyncs_total", factory: factory)
        duplicateBatches = Counter(label: "edgelog_broker_duplicate_batches_total", factory: factory)
        duplicateRecordsDropped = Counter(label: "edgelog_broker_duplicate_records_dropped_total", factory: factory)
        trimmedBatches = Counter(label: "edgelog_broker_trimmed_batches_total", factory: factory)
        producerSnapshots = Counter(label: "edgelog_broker_producer_snapshots_total", factory: factory)
        func deleted(_ reason: String) -> Counter {
            Counter(
                label: "edgelog_broker_retention_deleted_segments_total",
                dimensions: [("reason", reason)],
                factory: factory
            )
        }
        deletedByAge = deleted("age")
        deletedBySize = deleted("size")
        deletedByDiskLimit = deleted("disk-limit")
        forcedLossRecords = Counter(label: "edgelog_broker_retention_forced_loss_records_total", factory: factory)
        logResets = Counter(label: "edgelog_broker_log_resets_total", factory: factory)
        recoveryValidatedBatches = Counter(label: "edgelog_broker_recovery_validated_batches_total", factory: factory)
        recoveryTruncatedBytes = Counter(label: "edgelog_broker_recovery_truncated_bytes_total", factory: factory)
        producesInFlightGauge = Gauge(label: "edgelog_broker_produce_requests_in_flight", factory: factory)
        producesInFlightGauge.record(0)
    }

    /// The Kafka name of `code` (``KafkaErrorCode/name``), or its number for codes without one.
    static func name(of code: KafkaErrorCode) -> String {
        code.name ?? "\(code.rawValue)"
    }

    /// A Produce request started (`+1`) or was answered (`-1`).
    func produceInFlight(_ change: Int) {
        let value = producesInFlightCount.withLock { count in
            count += change
            return count
        }
        producesInFlightGauge.record(value)
    }

    /// Counts `count` syncs of a partition log.
    func countFsyncs(_ count: Int) {
        guard count > 0 else { return }
        fsyncs.increment(by: Int64(count))
        fsyncCount.withLock { $0 += Int64(count) }
    }

    /// Syncs of partition logs so far (`edgelog_broker_fsyncs_total`, readable in-process for
    /// benchmarks and diagnostics).
    public var fsyncsTotal: Int64 { fsyncCount.withLock { $0 } }

    /// Produce requests read and not yet answered.
    public var producesInFlight: Int { producesInFlightCount.withLock { $0 } }

    /// Counts one request of `apiKeyCode` (known or not).
    func countRequest(_ apiKeyCode: Int16) {
        (requests[apiKeyCode] ?? unknownRequests).increment()
    }

    /// Counts one error answered to a client (NONE is not counted).
    func countError(_ code: KafkaErrorCode) {
        guard code != .none else { return }
        let counter = errors.withLock { errors in
            if let counter = errors[code.rawValue] { return counter }
            let counter = Counter(
                label: "edgelog_broker_errors_total",
                dimensions: [("code", Self.name(of: code))],
                factory: factory
            )
            errors[code.rawValue] = counter
            return counter
        }
        counter.increment()
    }
}
