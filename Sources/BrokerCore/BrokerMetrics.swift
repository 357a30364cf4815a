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
    private let errors = Locked<[Int16: Counter]>([:])

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
    }

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
                dimensions: [("code", code.name ?? "\(code.rawValue)")],
                factory: factory
            )
            errors[code.rawValue] = counter
            return counter
        }
        counter.increment()
    }
}
