import Synchronization
import Metrics
import Prometheus

/// Installs swift-prometheus as the process-wide swift-metrics backend, so every `Counter`,
/// `Gauge`, `Timer` and `Recorder` created through swift-metrics lands in one registry that
/// ``MetricsServer`` renders on `/metrics`.
///
/// swift-metrics allows one bootstrap per process; this type remembers the registry it installed
/// and returns the same one on later calls. Tests should not call it (the global backend would
/// leak between suites): they create their own `PrometheusCollectorRegistry` and pass
/// `PrometheusMetricsFactory(registry:)` explicitly, e.g. `Counter(label:, factory:)`.
public enum MetricsBootstrap {
    private static let installed = Mutex<PrometheusCollectorRegistry?>(nil)

    /// Bootstraps swift-metrics once and returns the registry every metric is recorded in.
    public static func bootstrap() -> PrometheusCollectorRegistry {
        installed.withLock { registry in
            if let registry { return registry }
            let created = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: created))
            registry = created
            return created
        }
    }
}
